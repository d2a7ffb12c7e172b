import { onlyPointsAtPhotos } from '../intake/parse';
import { attachPhotosToRequest, MAX_PHOTOS_PER_REQUEST, photoEvent } from '../requests/later-photos-store';
import { addEvent, type RequestRow } from '../requests/request-store';
import type { CommandContext } from './context';

/**
 * The photos a command's message carries (`补充 12`, `进展 12 师傅来了`, `办结 12` with a picture),
 * attached to the request the command is about, in the command's transaction.
 */

/** What became of the photos a command's message carried. */
export interface CarriedAttached {
  /** How many were attached now: 0 when it carried none, or none could be. */
  readonly count: number;
  /** Whether they were left off because the request has its MAX_PHOTOS_PER_REQUEST. */
  readonly full: boolean;
}

const NONE: CarriedAttached = { count: 0, full: false };

/**
 * The command's words, less words that only point at the photos it carries (`办结 12 如图`): those
 * are no detail of their own.
 */
export function wordsBesidePhotos(ctx: CommandContext): string {
  const rest = ctx.command.rest;
  return ctx.photos && onlyPointsAtPhotos(rest) ? '' : rest;
}

/**
 * Attaches the message's photos to the request, up to its MAX_PHOTOS_PER_REQUEST and with no
 * time limit (the number says which request), and marks them answered: the command's reply says
 * what became of them. Call it once the command goes ahead; a refused command attaches nothing
 * and the desk says so. Runs once per message (the intake stores each msgid once, and a photo
 * row is attached once), so a retried delivery or a second instance attaches nothing twice.
 */
export async function attachCarriedPhotos(
  ctx: CommandContext,
  request: RequestRow,
): Promise<CarriedAttached> {
  const photos = ctx.photos;
  if (!photos) return NONE;
  const { attached, full } = await attachPhotosToRequest(ctx.tx, request.id, photos.inboundId, ctx.now);
  photos.answer();
  return { count: attached, full };
}

/**
 * Notes attached photos in the request's event log as photos sent after a post are (the pages and
 * 查询 name it 补充照片). Written before the command's own event, so that stays the latest.
 */
export async function addPhotoEvent(ctx: CommandContext, request: RequestRow, count: number): Promise<void> {
  if (count === 0) return;
  await addEvent(ctx.tx, request.id, photoEvent(ctx.senderId, ctx.now, count));
}

/** `照片已附上`, `2 张照片已附上`, or that the request has its photos already; '' for none. */
export function photosClause(photos: CarriedAttached): string {
  if (photos.count > 0) return photos.count === 1 ? '照片已附上' : `${photos.count} 张照片已附上`;
  return photos.full ? `照片已有 ${MAX_PHOTOS_PER_REQUEST} 张，这次的没有再加` : '';
}
