import { listEvents, type RequestRow } from '../requests/request-store';
import type { CommandContext } from './context';

/**
 * How long after 办结 the handler who sent it may still add photos with 补充: the finished repair
 * is often photographed a little later (the paint dries, the lamp is lit at night). As long as an
 * unrated request stays resolved by default (auto-close after 72 hours, MULIN_AUTO_CLOSE_AFTER),
 * and fixed here so that a longer auto-close does not keep it open for photos for weeks.
 */
export const AFTER_PHOTOS_WINDOW_MS = 3 * 24 * 60 * 60_000;

/**
 * Whether 补充 may add the photos it carries to a resolved request: only the handler who resolved
 * it last, within AFTER_PHOTOS_WINDOW_MS, and only with photos (words may come with them as their
 * caption). Anything else stays refused: a reporter whose request is not fixed says 不满意, and a
 * resolved request takes no new details otherwise.
 */
export async function mayAddAfterPhotos(ctx: CommandContext, request: RequestRow): Promise<boolean> {
  if (!ctx.photos || request.status !== 'resolved' || !request.resolvedAt) return false;
  if (ctx.now.getTime() - request.resolvedAt.getTime() > AFTER_PHOTOS_WINDOW_MS) return false;
  const events = await listEvents(ctx.tx, [request.id]);
  const resolved = events.filter((e) => e.type === 'resolved').pop();
  return resolved?.actorId === ctx.senderId;
}
