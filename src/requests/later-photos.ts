import { MAX_PHOTOS_PER_REQUEST, photoEvent } from './later-photos-store';
import type { Outgoing } from './outgoing';
import { maskPhones } from './format';
import { ACTIVE_STATUSES, SUPPLEMENT_EVENT, type RequestRow } from './request-store';
import type { RequestWrites } from './request-writes';

/**
 * Photos sent as a message of their own right after a post. Residents on phones often post the
 * words first and then find the picture; a group's robot sees a photo only when it @s the bot
 * (a mixed message with no words, or only words pointing at the picture such as 照片 or 如图:
 * intake/parse/photo-words.ts), a private chat's sees every photo. Such a photo is attached
 * to the sender's newest active request of the last 10 minutes in the same chat (from a private
 * chat, in any chat: requests are filed in building groups only, and it is still the sender's
 * own); with none, nothing is attached and the sender is told to attach them with 补充 N, or to
 * send a new post with its photos. A few words of the sender's own with the photo that are
 * neither a post nor a command (`看看这里扶手都快掉了`) are about that same post: they are kept
 * as its supplement, as 补充 N would keep them.
 */

/**
 * How long after a post a photo sent on its own is taken as that post's: time to find the camera,
 * walk to the broken lamp and take the picture, and short enough that a photo of a problem not
 * yet posted is not pinned on an old request. Counted from the post, not from the last photo.
 */
export const PHOTO_WINDOW_MS = 10 * 60_000;

export interface LaterPhotosContext {
  readonly writes: RequestWrites;
  readonly now: Date;
  readonly out: Outgoing;
}

export interface LaterPhotos {
  /** The stored message that brought them: its inbound_photo rows are what is attached. */
  readonly inboundId: string;
  readonly senderId: string;
  /** The group they were sent in; null in a private chat. */
  readonly chatId: string | null;
  /** The sender's words with them (captionOf), kept as a supplement; none for photos alone. */
  readonly words?: string;
}

/** Whether a was filed after b (the higher number when both were filed at the same instant). */
const newerThan = (a: RequestRow, b: RequestRow): boolean =>
  a.createdAt.getTime() > b.createdAt.getTime() ||
  (a.createdAt.getTime() === b.createdAt.getTime() && a.no > b.no);

/**
 * The request photos sent now belong to: among the sender's active requests, the newest filed in
 * this chat (any chat from a private one) within PHOTO_WINDOW_MS.
 */
export function requestForPhotos(
  candidates: readonly RequestRow[],
  chatId: string | null,
  now: Date,
): RequestRow | undefined {
  const since = now.getTime() - PHOTO_WINDOW_MS;
  return candidates
    .filter(
      (r) =>
        r.createdAt.getTime() >= since &&
        ACTIVE_STATUSES.includes(r.status) &&
        (chatId === null || r.chatId === chatId),
    )
    .reduce<RequestRow | undefined>((newest, r) => (newest && newerThan(newest, r) ? newest : r), undefined);
}

/**
 * The answer to photos alone with no recent post of the sender's to attach them to. 补充 N
 * attaches to any of their requests, however old: also the post that is still being filed on
 * another instance (its receipt shows the number), which this one cannot wait for.
 */
export function noRecentPost(chatId: string | null, examplePost: string): string {
  const attachLater = '已报过的事请发「补充 编号」并带上照片';
  return chatId === null
    ? `照片没有附上：${attachLater}；新的事请到楼栋群里@我报事，一起发照片`
    : `照片没有附上：${attachLater}；新的事请报事时一起发照片，如「${examplePost}」`;
}

/**
 * Attaches the photos of a message that is neither a post nor a command to the sender's recent
 * request (see above), keeps its words as a supplement, and queues the answer: `已收到照片，附在
 * #12` (with `，补充：…` for words), or a note when the request has its MAX_PHOTOS_PER_REQUEST.
 * Returns the request they are for, or undefined, with nothing queued, when there is none.
 * Runs once per message (the intake stores each msgid once), so a retried delivery attaches
 * and keeps nothing twice.
 */
export async function attachLaterPhotos(
  ctx: LaterPhotosContext,
  photos: LaterPhotos,
): Promise<RequestRow | undefined> {
  const { writes, now, out } = ctx;
  // A post another instance is filing right now commits first, so that its request is seen.
  await writes.settleFilings();
  const since = new Date(now.getTime() - PHOTO_WINDOW_MS);
  const target = requestForPhotos(await writes.activeRequestsBy(photos.senderId, since), photos.chatId, now);
  if (!target) return undefined;
  const no = target.no;
  const { attached, full } = await writes.attachPhotos(target.id, photos.inboundId, now);
  // Neither attached nor refused: an earlier run of this very message attached them, and answered.
  if (attached === 0 && !full) return target;
  if (attached > 0) {
    await writes.addEvent(target.id, photoEvent(photos.senderId, now, attached));
  }
  const words = photos.words ? maskPhones(photos.words) : '';
  if (photos.words) {
    await writes.addEvent(target.id, {
      type: SUPPLEMENT_EVENT,
      actorId: photos.senderId,
      at: now,
      note: photos.words,
    });
  }
  const fullNote = `#${no} 的照片已有 ${MAX_PHOTOS_PER_REQUEST} 张，这次的没有再加`;
  const received = attached === 1 ? '已收到照片' : `已收到 ${attached} 张照片`;
  const answer = full
    ? [...(words ? [`#${no} 补充：${words}`] : []), fullNote].join('\n')
    : `${received}，附在 #${no}${words ? `，补充：${words}` : ''}`;
  out.reply(answer, [], target.id);
  return target;
}
