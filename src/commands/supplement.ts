import { onlyPointsAtPhotos } from '../intake/parse';
import type { CarriedPhotos } from '../requests/carried-photos';
import { categoryName, maskPhones, shorten } from '../requests/format';
import { attachPhotosToRequest, MAX_PHOTOS_PER_REQUEST } from '../requests/later-photos-store';
import { addEvent, updateRequest, type RequestRow } from '../requests/request-store';
import type { CommandContext, CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';
import { chatUsage } from './usage';

/** The event a detail added with 补充 is kept as: the pages and 查询 name it 补充, not 进展. */
export const SUPPLEMENT_EVENT = 'supplement';

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

/**
 * Attaches the message's photos to the request, up to its MAX_PHOTOS_PER_REQUEST and with no
 * time limit (the number says which request), and notes them in its event log as photos sent
 * after a post are. Returns whether they were attached. Runs once per message (the intake stores
 * each msgid once), so a retried delivery attaches nothing twice.
 */
async function attachCarried(
  ctx: CommandContext,
  request: RequestRow,
  photos: CarriedPhotos,
): Promise<boolean> {
  const attached = await attachPhotosToRequest(ctx.tx, request.id, photos.inboundId, photos.count, ctx.now);
  if (attached) {
    await addEvent(ctx.tx, request.id, {
      type: 'photo',
      actorId: ctx.senderId,
      at: ctx.now,
      note: `${photos.count} 张`,
      data: { photos: photos.count },
    });
  }
  return attached;
}

/** `补充了照片`, `补充了 3 张照片`. */
const addedPhotos = (count: number): string => (count === 1 ? '补充了照片' : `补充了 ${count} 张照片`);

/**
 * 补充 N 文字: the reporter adds a detail they left out (`是三楼不是二楼`), or the handler one the
 * reporter should know; photos sent with it (`补充 12` plus a picture, words or not) are attached
 * to the request. Kept on the request's event log, and told to the other side in the group.
 * Unlike 进展, it does not take the request on.
 */
export const supplement: CommandDefinition = {
  name: 'supplement',
  action: '补充',
  permission: 'reporter_or_handler',
  forStaff: false,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const photos = ctx.photos;
    // With photos, words that only point at them (`补充 12 如图`) are no detail of their own.
    const text = photos && onlyPointsAtPhotos(ctx.command.rest) ? '' : ctx.command.rest;
    if (!text && !photos) {
      ctx.out.reply(`请写上要补充的内容，例如：${chatUsage('supplement', no)}`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(tooLate(ctx, request, closed, text));
      return;
    }
    const attached = photos ? await attachCarried(ctx, request, photos) : false;
    photos?.answer();
    const full = photos && !attached ? `#${no} 的照片已有 ${MAX_PHOTOS_PER_REQUEST} 张，这次的没有再加` : '';
    if (!text && !attached) {
      // Nothing added: the sender alone is told, nobody else bothered.
      ctx.out.reply(full, [], request.id);
      return;
    }
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
    const added = attached && photos ? addedPhotos(photos.count) : '补充';
    const said = text ? `：${maskPhones(text)}` : '';
    const others = [request.reporterId, request.assigneeId].filter(
      (id): id is string => id !== null && id !== ctx.senderId,
    );
    const lines = [`#${no} ${who}${added}${said}`, ...(full ? [full] : [])];
    ctx.out.reply(lines.join('\n'), [...new Set(others)], request.id);
  },
};
