import type { HeldPhotos } from './held-photos-store';
import { PHOTO_WINDOW_MS } from './later-photos';
import { MAX_PHOTOS_PER_REQUEST, photoEvent } from './later-photos-store';
import type { Outgoing } from './outgoing';
import type { RequestRow } from './request-store';
import type { RequestWrites } from './request-writes';

/**
 * Photos sent before their post. On a phone the picture is often taken and sent first, the words
 * typed after: a photo sent on its own in a building group with no recent post of the sender's
 * to go with (later-photos.ts) is held, and the sender's next post in that group within
 * PHOTO_WINDOW_MS takes it; its receipt says so. One not taken in time stays attached to nothing,
 * with no further word: the answer to the photo said what to do.
 *
 * Holding and taking both happen with the request counter held (settleFilings, or the post's
 * number), as every filing does: a post sees every hold made before it, and a photo arriving
 * while a post is being filed waits for it and is then attached to it as photos after a post are.
 */

/** The answer to photos held: say what they are about, with an example post. */
export function heldAnswer(examplePost: string): string {
  return `收到照片。请接着@我说是什么事，例如：${examplePost}，照片会附上`;
}

/** A message's photos, to hold. */
export interface PhotosToHold {
  readonly inboundId: string;
  readonly senderId: string;
  readonly chatId: string;
}

/**
 * Holds the photos of a message for the sender's next post in this group. Call it with filings
 * settled (settleFilings), before any request is locked: see the desk.
 */
export async function holdPhotos(writes: RequestWrites, now: Date, photos: PhotosToHold): Promise<void> {
  await writes.holdPhotos({ ...photos, heldAt: now }, new Date(now.getTime() - PHOTO_WINDOW_MS));
}

/**
 * Holds photos sent on their own that found no post just before (later-photos.ts, which settled
 * filings), and queues the answer.
 */
export async function holdForNextPost(
  ctx: {
    readonly writes: RequestWrites;
    readonly now: Date;
    readonly out: Outgoing;
    readonly examplePost: string;
  },
  photos: PhotosToHold,
): Promise<void> {
  await holdPhotos(ctx.writes, ctx.now, photos);
  ctx.out.reply(heldAnswer(ctx.examplePost));
}

/** The holds a post in `chatId` at `now` takes: the sender's in that chat within the window. */
export function holdsFor(holds: readonly HeldPhotos[], chatId: string, now: Date): HeldPhotos[] {
  const since = now.getTime() - PHOTO_WINDOW_MS;
  return holds.filter((h) => h.chatId === chatId && h.heldAt.getTime() >= since);
}

/**
 * Attaches the photos the sender held in this chat to the request their post has just filed,
 * noting them in its event log as photos sent after a post are. Returns the receipt's line about
 * them (`照片已附上`, `2 张照片已附上`, or that the request had no room), or null with none held.
 */
export async function takeHeldPhotos(
  ctx: { readonly writes: RequestWrites; readonly now: Date },
  request: RequestRow,
): Promise<string | null> {
  const { writes, now } = ctx;
  if (request.chatId === null) return null;
  const since = new Date(now.getTime() - PHOTO_WINDOW_MS);
  const holds = holdsFor(await writes.heldPhotosBy(request.reporterId, since), request.chatId, now);
  if (holds.length === 0) return null;
  const { attached, full } = await writes.takeHeldPhotos(request.id, holds, now);
  if (attached > 0) {
    await writes.addEvent(request.id, photoEvent(request.reporterId, now, attached));
  }
  const taken = attached === 0 ? null : attached === 1 ? '照片已附上' : `${attached} 张照片已附上`;
  const leftOff = full ? `先发的照片没有再加：已有 ${MAX_PHOTOS_PER_REQUEST} 张` : null;
  return [taken, leftOff].filter(Boolean).join('；') || null;
}
