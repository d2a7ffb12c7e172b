import type Router from 'koa-router';
import { keptPhoto } from '../../photos';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import type { AdminDeps } from './admin-context';

/**
 * GET /admin/photos/:id: a kept photo's bytes, behind the same sign-in as the pages. The type
 * is the one the keeper read from the bytes themselves, and nosniff holds the browser to it. Kept
 * by no cache, as the pages are (securityHeaders: no-store): the office browser is shared, and a
 * cached photo (a resident's home, a face) would still open from the cache, or the disk, after
 * 退出. Fetching it again when a request is opened costs little beside that.
 */
export function addPhotoRoute(router: Router<AppState>, deps: AdminDeps): void {
  router.get('/photos/:id', async (ctx) => {
    const raw = (ctx.params as Record<string, string | undefined>).id ?? '';
    if (!/^[1-9]\d{0,17}$/.test(raw)) throw new AppError('not_found', 'admin pages: not a photo id');
    const photo = await keptPhoto(deps.dataSource, raw);
    if (!photo) throw new AppError('not_found', `admin pages: no kept photo ${raw}`);
    ctx.type = photo.contentType;
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = photo.bytes;
  });
}
