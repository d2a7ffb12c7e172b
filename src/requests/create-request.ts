import type { TaggedRequest } from '../intake/parse';
import { detectUrgency, detectUtilityKind, parseLocation } from '../intake/parse';
import type { BuildingPlace, Ledger } from '../ledger/ledger';
import { dueTimes } from './due-times';
import { takeHeldPhotos } from './held-photos';
import { categoryName, maskPhones, placeOf, shorten } from './format';
import type { Outgoing } from './outgoing';
import { repeatOf, repeatWindowStart } from './repeat-posts';
import type { RequestRow } from './request-store';
import type { RequestWrites } from './request-writes';
import { placeOfPost, routeRequest } from './routing';
import { safetyLine } from './safety-line';

export interface PostContext {
  readonly writes: RequestWrites;
  readonly ledger: Ledger;
  readonly place: BuildingPlace;
  readonly now: Date;
  readonly out: Outgoing;
}

export interface PostSource {
  readonly inboundId: string;
  readonly senderId: string;
  readonly chatId: string | null;
  readonly imageUrls: readonly string[];
}

/** What became of a post: a new request, or the one it repeats. */
export interface FiledPost {
  readonly request: RequestRow;
  /** The post repeats `request`, filed moments before by the same reporter: nothing was filed. */
  readonly repeat: boolean;
}

/**
 * The answer to a post that repeats `earlier`. Someone sending a danger again is still in it, and
 * most likely unsure anyone heard: they get the safety line again and are told the handler knows,
 * rather than a remark about posting twice.
 */
function repeatAnswer(ledger: Ledger, earlier: RequestRow): string {
  const no = earlier.no;
  const progress = `可发「查询 ${no}」看进度`;
  const safety = earlier.priority === 'urgent' ? safetyLine(ledger, earlier.hazard) : null;
  if (!safety) return `您刚才已报过 #${no}，不用重复发，${progress}`;
  const handler = ledger.nameOf(earlier.assigneeId) || '处理人';
  const told =
    earlier.status === 'acknowledged'
      ? `#${no} ${handler}已接单，正在处理`
      : `#${no} 已通知${handler}，请稍等`;
  return `${safety}\n${told}；${progress}`;
}

/**
 * Turns a tagged post into a numbered request: parses place, urgency and utility, routes it,
 * records each decision as an event and queues the receipt, all through the caller's writes. The
 * same post sent again by its reporter (repeat-posts.ts) is answered with the first one's number.
 */
export async function createRequest(
  ctx: PostContext,
  post: TaggedRequest,
  source: PostSource,
): Promise<FiledPost> {
  const { ledger, now, writes } = ctx;
  const description = post.description;
  const location = placeOfPost(ctx.place, parseLocation(description));
  const place = location.place;
  // The number first: taking it is what lets the look for a repeat see every request filed so far.
  const no = await writes.nextNo();
  const earlier = repeatOf(
    { buildingId: place.building.id, text: description, hasPhotos: source.imageUrls.length > 0 },
    await writes.activeRequestsBy(source.senderId, repeatWindowStart(now)),
    now,
  );
  if (earlier) {
    await writes.unuseNo(no);
    ctx.out.reply(repeatAnswer(ledger, earlier), [], earlier.id);
    return { request: earlier, repeat: true };
  }
  const urgency = detectUrgency(description);
  const utility = detectUtilityKind(description);
  const priority = urgency.urgent ? 'urgent' : 'normal';
  const routing = routeRequest(ledger, place, location.unit, {
    text: description,
    urgent: urgency.urgent,
    category: post.category,
  });
  const due = dueTimes(
    { category: post.category, priority, utility: post.category === 'repair' && utility !== null },
    now,
    ledger.document.response_clocks ?? [],
  );
  const council = post.category === 'council';
  const request = await writes.insertRequest({
    no,
    compoundId: place.compound.id,
    buildingId: place.building.id,
    unitNo: location.unit ?? null,
    room: location.room ?? null,
    category: post.category,
    text: description,
    imageUrls: [...source.imageUrls],
    reporterId: source.senderId,
    chatId: source.chatId,
    status: 'open',
    priority,
    hazard: urgency.urgent ? urgency.hazard : null,
    utility,
    assigneeId: routing.assigneeId,
    teamIds: [...routing.teamIds],
    ackDueAt: due.ackDueAt,
    resolveDueAt: due.resolveDueAt,
    inboundId: source.inboundId,
    council,
    createdAt: now,
  });

  await writes.addEvent(request.id, {
    type: 'created',
    actorId: source.senderId,
    at: now,
    note: null,
    data: { category: post.category, priority, unit: location.unit ?? null, room: location.room ?? null },
  });
  await writes.addEvent(request.id, {
    type: 'routed',
    actorId: null,
    at: now,
    note: [location.reason, ...routing.reasons].filter(Boolean).join('；'),
    data: { assignee: routing.assigneeId, alsoNotify: routing.alsoNotify, teams: routing.teamIds },
  });
  if (council) {
    await writes.addEvent(request.id, {
      type: 'council',
      actorId: null,
      at: now,
      note: '议事类，列入居民议事会议题',
    });
  }

  // Photos the reporter sent just before, on their own, go with it (held-photos.ts).
  const heldPhotos = await takeHeldPhotos(ctx, request);

  const lines: string[] = [];
  const safety = urgency.urgent ? safetyLine(ledger, urgency.hazard) : null;
  if (safety) lines.push(safety);
  const where = placeOf(request);
  lines.push(
    `已登记 #${no}【${categoryName(ledger.categories, post.category)}】${shorten(maskPhones(description))}`,
  );
  if (heldPhotos) lines.push(heldPhotos);
  const teamNames = ledger.document.teams.filter((t) => routing.teamIds.includes(t.id)).map((t) => t.name);
  const placeLine = location.unknownBuilding
    ? `本小区台账里没有${location.unknownBuilding}`
    : `${place.building.name}${where}`;
  lines.push(
    `位置：${placeLine}；处理人：${ledger.nameOf(routing.assigneeId)}（${routing.assigneeRole}）${teamNames.length ? `，${teamNames.join('、')}协助` : ''}`,
  );
  // By name: the receipt also @s team volunteers and grid workers, who are not the ones to take it on.
  const taker = routing.assigneeId ? ledger.nameOf(routing.assigneeId) : '处理人';
  lines.push(`请${taker}回复「接单 ${no}」，大家可发「查询 ${no}」看进度`);
  const mentions = [routing.assigneeId, ...routing.alsoNotify].filter((id): id is string => Boolean(id));
  // About another building with a group of its own: its people are told there, and the copy here
  // @s only the reporter (an @ reaches members only). With no such group, they are @-ed here.
  const toOtherGroup = place !== ctx.place && Boolean(place.building.webhook_key);
  ctx.out.reply(lines.join('\n'), toOtherGroup ? [source.senderId] : mentions, request.id, 'receipt');
  if (toOtherGroup) {
    ctx.out.add({
      audience: { to: 'building', buildingId: place.building.id },
      format: 'text',
      content: lines.join('\n'),
      mentions,
      requestId: request.id,
      purpose: 'receipt',
    });
  }
  if (urgency.urgent) {
    ctx.out.add({
      audience: { to: 'people', userIds: mentions },
      format: 'text',
      content: `紧急 #${no}：${location.unknownBuilding ? '' : `${place.building.name}${where}`}${shorten(maskPhones(description))}，请尽快处理`,
      mentions: [],
      requestId: request.id,
      purpose: 'notice',
    });
  }
  return { request, repeat: false };
}
