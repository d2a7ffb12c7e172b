import { maskPhones } from '../requests/format';
import { MAX_PHOTOS_PER_REQUEST } from '../requests/later-photos-store';
import { addEvent, updateRequest } from '../requests/request-store';
import { takeOn } from './ack';
import { addPhotoEvent, attachCarriedPhotos, photosClause, wordsBesidePhotos } from './attach-carried';
import type { CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';

/**
 * 进展 N 文字: the handler tells the reporter how the request is going, and takes it on if it was
 * not yet. Photos sent with it (the part that came, the work half done) are attached to the
 * request as 补充 attaches them; photos alone are progress too.
 */
export const note: CommandDefinition = {
  name: 'note',
  action: '补充进展',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const text = wordsBesidePhotos(ctx);
    if (!text && !ctx.photos) {
      ctx.out.reply(`请写上进展，例如：进展 ${no} 已联系师傅，明天上午来修`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(`#${no} ${closed}，不能再补充进展`);
      ctx.photos?.refuse();
      return;
    }
    const photos = await attachCarriedPhotos(ctx, request);
    if (!text && photos.count === 0) {
      // Nothing added, so nothing taken on: the sender alone is told. Photos neither attached nor
      // refused were attached by an earlier run of this very message, which answered.
      if (photos.full) {
        ctx.out.reply(`#${no} 的照片已有 ${MAX_PHOTOS_PER_REQUEST} 张，这次的没有再加`, [], request.id);
      }
      return;
    }
    // Reporting progress on an open request is taking it on (and, for a grid worker or admin, over).
    const relieved = request.status === 'open' ? await takeOn(ctx, request, '随进展接单') : [];
    if (request.status !== 'open') await updateRequest(ctx.tx, request.id, { updatedAt: ctx.now });
    await addPhotoEvent(ctx, request, photos.count);
    if (text) {
      await addEvent(ctx.tx, request.id, { type: 'note', actorId: ctx.senderId, at: ctx.now, note: text });
    }
    // `进展：师傅下午来（赵志强），照片已附上`, or with photos alone `进展：照片已附上（赵志强）`.
    const by = `（${ctx.ledger.nameOf(ctx.senderId)}）`;
    const clause = photosClause(photos);
    const said = text ? `${maskPhones(text)}${by}${clause ? `，${clause}` : ''}` : `${clause}${by}`;
    ctx.out.reply(`#${no} 进展：${said}`, [request.reporterId, ...relieved], request.id);
  },
};
