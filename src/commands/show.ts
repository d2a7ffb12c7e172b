import { categoryName, formatMoment, maskPhones, placeOf, shorten, STATUS_NAMES } from '../requests/format';
import { listEvents } from '../requests/request-store';
import { STAFF_NOTE } from '../requests/street-actions';
import { CHASE_EVENT } from './chase';
import type { CommandDefinition } from './context';
import { mayReadDetails } from './who-may-read';

const EVENT_NAMES: Record<string, string> = {
  created: '登记',
  acknowledged: '接单',
  note: '进展',
  resolved: '办结',
  assigned: '转派',
  escalated: '上报',
  council: '列入议事会',
  withdrawn: '撤回',
  rated: '评价',
  reopened: '重新打开',
  closed: '完结',
  reminded: '提醒',
  supplement: '补充',
  photo: '补充照片',
  urged: '街道督办',
};

/**
 * Steps a 查询 answer never names as the latest: routing is no one's doing, the street's notes are
 * internal, and a chase is someone asking, not a step taken on the request.
 */
const NOT_SHOWN = new Set(['routed', STAFF_NOTE, CHASE_EVENT]);

export const show: CommandDefinition = {
  name: 'show',
  action: '查询',
  permission: 'anyone',
  forStaff: false,
  async run(ctx, request) {
    if (!request) return;
    const status = `#${request.no} ${categoryName(ctx.ledger.categories, request.category)}｜${STATUS_NAMES[request.status]}${request.priority === 'urgent' ? '｜紧急' : ''}`;
    if (!mayReadDetails(ctx, request)) {
      ctx.out.reply(status);
      return;
    }
    const events = await listEvents(ctx.tx, [request.id]);
    const latest = [...events].reverse().find((e) => !NOT_SHOWN.has(e.type));
    const where = ctx.ledger.buildingNames(request.buildingId)?.building ?? '';
    const lines = [
      status,
      shorten(maskPhones(request.text)),
      `位置：${where}${placeOf(request)}；处理人：${ctx.ledger.nameOf(request.assigneeId) || '暂无'}`,
    ];
    if (latest) {
      const what = EVENT_NAMES[latest.type] ?? latest.type;
      const note = latest.note ? ` ${shorten(maskPhones(latest.note), 30)}` : '';
      lines.push(`最近：${formatMoment(latest.at, ctx.timeZone)} ${what}${note}`);
    }
    ctx.out.reply(lines.join('\n'));
  },
};
