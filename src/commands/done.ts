import { maskPhones } from '../requests/format';
import { addEvent, updateRequest } from '../requests/request-store';
import { mayAddAfterPhotos } from './after-photos';
import { addPhotoEvent, attachCarriedPhotos, photosClause, wordsBesidePhotos } from './attach-carried';
import type { CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';

/**
 * 办结 N 怎么办的: the handler marks the request resolved and the reporter is asked to rate it.
 * Photos sent with it (the finished repair) are attached to the request as 补充 attaches them.
 */
export const done: CommandDefinition = {
  name: 'done',
  action: '办结',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const closed = closedReason(request.status);
    if (closed) {
      // Often 办结 sent again to add the photo of the finished work: the handler who resolved it
      // may still, with 补充.
      const addLater = ctx.photos && (await mayAddAfterPhotos(ctx, request));
      ctx.out.reply(
        addLater
          ? `#${no} ${closed}，不用再办结；照片没有附上，要附上请发「补充 ${no}」并带上照片`
          : `#${no} ${closed}，不用再办结`,
      );
      if (addLater) ctx.photos.answer();
      else ctx.photos?.refuse();
      return;
    }
    const text = wordsBesidePhotos(ctx);
    const photos = await attachCarriedPhotos(ctx, request);
    await addPhotoEvent(ctx, request, photos.count);
    await updateRequest(ctx.tx, request.id, {
      status: 'resolved',
      resolvedAt: ctx.now,
      // Resolving without acknowledging first still answered the resident.
      ...(request.acknowledgedAt ? {} : { acknowledgedAt: ctx.now }),
      updatedAt: ctx.now,
    });
    await addEvent(ctx.tx, request.id, {
      type: 'resolved',
      actorId: ctx.senderId,
      at: ctx.now,
      note: text || null,
    });
    const how = text ? `：${maskPhones(text)}` : '';
    const clause = photosClause(photos);
    ctx.out.reply(
      `#${no} 已办结${how}${clause ? `，${clause}` : ''}\n请报事人回复「满意 ${no}」或「不满意 ${no} 原因」`,
      [request.reporterId],
      request.id,
      'resolved',
    );
  },
};
