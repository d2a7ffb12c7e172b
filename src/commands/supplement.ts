import { categoryName, maskPhones, shorten } from '../requests/format';
import { MAX_PHOTOS_PER_REQUEST } from '../requests/later-photos-store';
import { addEvent, SUPPLEMENT_EVENT, updateRequest, type RequestRow } from '../requests/request-store';
import { mayAddAfterPhotos } from './after-photos';
import { addPhotoEvent, attachCarriedPhotos, wordsBesidePhotos } from './attach-carried';
import type { CommandContext, CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';
import { chatUsage } from './usage';

/** The example of a new report when the sender's 补充 had photos and no words. */
const EXAMPLE = '2单元楼道灯不亮';

/**
 * Why nothing can be added to a request that is done, and what to do instead: a reporter whose
 * resolved request is not fixed says so with 不满意 (which reopens it); anything new about a
 * closed or withdrawn one is a new report, shown with their words.
 */
function tooLate(ctx: CommandContext, request: RequestRow, closed: string, text: string): string {
  const no = request.no;
  if (request.status === 'resolved') {
    const reopen = request.reporterId === ctx.senderId ? `；没修好请回复「不满意 ${no} 原因」` : '';
    return `#${no} ${closed}，不能再补充${reopen}`;
  }
  const tag = `#${categoryName(ctx.ledger.categories, request.category)}`;
  const example = text ? shorten(maskPhones(text)) : EXAMPLE;
  return `#${no} ${closed}，不能再补充；有新情况请重新报事，例如：${tag} ${example}`;
}

/** `补充了照片`, `补充了 3 张照片`. */
const addedPhotos = (count: number): string => (count === 1 ? '补充了照片' : `补充了 ${count} 张照片`);

/**
 * 补充 N 文字: the reporter adds a detail they left out (`是三楼不是二楼`), or the handler one the
 * reporter should know; photos sent with it (`补充 12` plus a picture, words or not) are attached
 * to the request, up to its MAX_PHOTOS_PER_REQUEST and however old it is (the number says which).
 * Kept on the request's event log, and told to the other side in the group. Unlike 进展, it does
 * not take the request on. The handler who has just resolved a request may still add photos of
 * the finished work (after-photos.ts).
 */
export const supplement: CommandDefinition = {
  name: 'supplement',
  action: '补充',
  permission: 'reporter_or_handler',
  forStaff: false,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const text = wordsBesidePhotos(ctx);
    if (!text && !ctx.photos) {
      ctx.out.reply(`请写上要补充的内容，例如：${chatUsage('supplement', no)}`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed && !(await mayAddAfterPhotos(ctx, request))) {
      ctx.out.reply(tooLate(ctx, request, closed, text));
      // A closed or withdrawn request's refusal asks for a new report: in a building group the
      // photos wait for it, with nothing more to say. A resolved one's points at 不满意, and a
      // private chat files nothing: the photos are said to be left off.
      if (request.status !== 'resolved' && ctx.place) ctx.photos?.forNewReport();
      else ctx.photos?.refuse();
      return;
    }
    const photos = await attachCarriedPhotos(ctx, request);
    const full = photos.full ? `#${no} 的照片已有 ${MAX_PHOTOS_PER_REQUEST} 张，这次的没有再加` : '';
    // On a resolved request the words are the photos' caption: without photos, nothing is added.
    if ((!text || closed) && photos.count === 0) {
      // Nothing added: the sender alone is told, nobody else bothered. Photos neither attached
      // now nor refused were attached by an earlier run of this very message, which answered.
      if (full) ctx.out.reply(full, [], request.id);
      return;
    }
    await addPhotoEvent(ctx, request, photos.count);
    if (text) {
      await updateRequest(ctx.tx, request.id, { updatedAt: ctx.now });
      await addEvent(ctx.tx, request.id, {
        type: SUPPLEMENT_EVENT,
        actorId: ctx.senderId,
        at: ctx.now,
        note: text,
      });
    }
    const who = request.reporterId === ctx.senderId ? '报事人' : ctx.ledger.nameOf(ctx.senderId);
    const added = photos.count > 0 ? addedPhotos(photos.count) : '补充';
    const said = text ? `：${maskPhones(text)}` : '';
    const others = [request.reporterId, request.assigneeId].filter(
      (id): id is string => id !== null && id !== ctx.senderId,
    );
    const lines = [`#${no} ${who}${added}${said}`, ...(full ? [full] : [])];
    ctx.out.reply(lines.join('\n'), [...new Set(others)], request.id);
  },
};
