import { categoryName, maskPhones, placeOf, shorten } from '../requests/format';
import { addEvent, updateRequest } from '../requests/request-store';
import type { CommandContext, CommandDefinition } from './context';
import { isActive } from './transitions';

/** 1: the compound's grid worker; 2: the street office. */
const STREET_LEVEL = 2;

function senderLevel(ctx: CommandContext, compoundId: string | null): number {
  if (ctx.ledger.isAdmin(ctx.senderId)) return STREET_LEVEL;
  if (ctx.ledger.isGridWorker(ctx.senderId, compoundId)) return 1;
  return 0;
}

export const escalate: CommandDefinition = {
  name: 'escalate',
  action: '上报',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const reason = ctx.command.rest;
    if (!reason) {
      ctx.out.reply(`请写上上报原因，例如：上报 ${no} 需要街道协调施工队`);
      return;
    }
    if (!isActive(request)) {
      ctx.out.reply(`#${no} 已经办完，不用上报`);
      return;
    }
    if (request.escalationLevel >= STREET_LEVEL) {
      ctx.out.reply(`#${no} 已经上报街道，请等街道回复`);
      return;
    }
    const level = Math.min(
      STREET_LEVEL,
      Math.max(request.escalationLevel, senderLevel(ctx, request.compoundId)) + 1,
    );
    const compound = request.compoundId ? ctx.ledger.compound(request.compoundId) : undefined;
    const gridWorker = compound?.grid_workers[0] ?? null;
    const where = request.buildingId
      ? (ctx.ledger.placeOfBuilding(request.buildingId)?.building.name ?? '')
      : '';
    const summary = `#${no} ${categoryName(ctx.ledger.categories, request.category)} ${where}${placeOf(request)} ${shorten(maskPhones(request.text))}`;

    if (level === 1 && gridWorker) {
      await updateRequest(ctx.tx, request.id, {
        escalationLevel: 1,
        assigneeId: gridWorker,
        updatedAt: ctx.now,
      });
      await addEvent(ctx.tx, request.id, {
        type: 'escalated',
        actorId: ctx.senderId,
        at: ctx.now,
        note: reason,
        data: { level: 1, from: request.assigneeId, to: gridWorker },
      });
      ctx.out.reply(
        `#${no} 已上报网格员 ${ctx.ledger.nameOf(gridWorker)}：${maskPhones(reason)}`,
        [gridWorker],
        request.id,
        'escalation',
      );
      ctx.out.add({
        audience: { to: 'people', userIds: [gridWorker] },
        format: 'text',
        content: `上报 ${summary}\n原因：${maskPhones(reason)}（${ctx.ledger.nameOf(ctx.senderId)}）`,
        mentions: [],
        requestId: request.id,
        purpose: 'escalation',
      });
      return;
    }

    await updateRequest(ctx.tx, request.id, { escalationLevel: STREET_LEVEL, updatedAt: ctx.now });
    await addEvent(ctx.tx, request.id, {
      type: 'escalated',
      actorId: ctx.senderId,
      at: ctx.now,
      note: reason,
      data: { level: STREET_LEVEL },
    });
    const admins = ctx.ledger.document.street.admins;
    ctx.out.reply(`#${no} 已上报街道：${maskPhones(reason)}`, [], request.id, 'escalation');
    ctx.out.add({
      audience: { to: 'leadership' },
      format: 'markdown',
      content: `**上报街道** ${summary}\n> 原因：${maskPhones(reason)}\n> 上报人：${ctx.ledger.nameOf(ctx.senderId)}`,
      mentions: [],
      requestId: request.id,
      purpose: 'escalation',
    });
    ctx.out.add({
      audience: { to: 'people', userIds: admins },
      format: 'text',
      content: `上报街道 ${summary}\n原因：${maskPhones(reason)}`,
      mentions: [],
      requestId: request.id,
      purpose: 'escalation',
    });
  },
};
