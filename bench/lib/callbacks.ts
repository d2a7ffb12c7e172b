import { botCallback, botText, seededRandom, type Signed } from '../../tests/helpers/wecom-payloads';
import type { Request } from './http-load';
import { buildingIds, type StreetShape } from './street';

/**
 * The traffic of a street's groups, as the bot's callbacks: tagged posts, commands and chatter in
 * a given mix, each encrypted and signed ahead of time (with @wecom/crypto, not Mulin's code) so
 * that the load generator only sends bytes.
 */
export type MessageKind = 'post' | 'command' | 'chatter';

export interface PlannedMessage {
  readonly seq: number;
  readonly kind: MessageKind;
  readonly buildingIndex: number;
  readonly chatId: string;
  readonly senderId: string;
  readonly text: string;
  readonly msgid: string;
}

export interface KnownRequest {
  readonly no: number;
  readonly buildingIndex: number;
  readonly assigneeId: string | null;
}

export interface Mix {
  readonly post: number;
  readonly command: number;
  readonly chatter: number;
}

export const ISSUE_MIX: Mix = { post: 0.5, command: 0.3, chatter: 0.2 };

const TAGS = ['#报修', '#求助', '#投诉', '#建议', '#咨询', '【报修】'];
// No hazard words: an urgent post also queues private notices, which would change what one
// message costs; the benchmarks measure the everyday desk.
const PROBLEMS = ['楼道灯不亮', '门禁坏了', '楼顶漏水', '垃圾没人清', '车棚门锁坏了', '信箱被撬', '墙皮脱落'];
const CHATTER = ['大家好', '谢谢楼长', '今天几点停车场开门？', '收到', '辛苦了', '明天下雨记得收衣服'];

export interface PlanOptions {
  readonly count: number;
  readonly shape: StreetShape;
  readonly seed: number;
  readonly mix?: Mix;
  /** Requests that exist already, for commands; without them commands are 待办 and 帮助. */
  readonly known?: readonly KnownRequest[];
  /** Unique per run, so messages of separate phases never share a msgid. */
  readonly runId: string;
  /** Picks the building of message i; default uniform at random. */
  readonly buildingOf?: (i: number, random: () => number) => number;
  readonly firstSeq?: number;
}

/** A fixed, seeded sequence of messages in the given mix. */
export function planMessages(options: PlanOptions): PlannedMessage[] {
  const random = seededRandom(options.seed);
  const mix = options.mix ?? ISSUE_MIX;
  const known = options.known ?? [];
  const knownByBuilding = new Map<number, KnownRequest[]>();
  for (const k of known) {
    const list = knownByBuilding.get(k.buildingIndex);
    if (list) list.push(k);
    else knownByBuilding.set(k.buildingIndex, [k]);
  }
  const out: PlannedMessage[] = [];
  const first = options.firstSeq ?? 0;
  for (let i = 0; i < options.count; i++) {
    const seq = first + i;
    const roll = random();
    const kind: MessageKind =
      roll < mix.post ? 'post' : roll < mix.post + mix.command ? 'command' : 'chatter';
    let buildingIndex = options.buildingOf
      ? options.buildingOf(i, random)
      : Math.floor(random() * options.shape.buildings);
    let ids = buildingIds(buildingIndex, options.shape);
    const resident = `res${1 + Math.floor(random() * 40)}.${ids.id}`;
    let senderId = resident;
    let text: string;
    if (kind === 'post') {
      const unit = 1 + Math.floor(random() * Math.max(1, ids.unitHeadIds.length));
      const tag = TAGS[Math.floor(random() * TAGS.length)] ?? '#报修';
      const problem = PROBLEMS[Math.floor(random() * PROBLEMS.length)] ?? '楼道灯不亮';
      // The marker makes every receipt unique, so a reply can be matched to its callback. The
      // receipt masks phone numbers (7–8 digit landlines too), so its digits must never run on:
      // a letter after the run id, the sequence in base 36.
      text = `${tag} ${unit}单元${problem} m${options.runId}x${seq.toString(36)}`;
    } else if (kind === 'command') {
      const pick = random();
      // With the groups chosen by the caller, a command names a request of the group it is typed
      // in, as a head's would: typed in another group its notices go to the request's own group
      // (README), and the end-to-end check matches each callback to one reply in its group.
      const pool = options.buildingOf ? (knownByBuilding.get(buildingIndex) ?? []) : known;
      const request = pool.length > 0 ? pool[Math.floor(random() * pool.length)] : undefined;
      if (request && pick < 0.4) {
        text = `查询 ${request.no}`;
        if (!options.buildingOf) buildingIndex = request.buildingIndex;
      } else if (request && pick < 0.7) {
        text = `接单 ${request.no}`;
        if (!options.buildingOf) buildingIndex = request.buildingIndex;
        ids = buildingIds(buildingIndex, options.shape);
        senderId = request.assigneeId ?? ids.headId;
      } else if (pick < 0.85) {
        text = '待办';
        senderId = ids.headId;
      } else {
        text = '帮助';
      }
    } else {
      text = CHATTER[Math.floor(random() * CHATTER.length)] ?? '收到';
    }
    ids = buildingIds(buildingIndex, options.shape);
    out.push({
      seq,
      kind,
      buildingIndex,
      chatId: ids.chatId,
      senderId,
      text,
      msgid: `bench-${options.runId}-${seq}`,
    });
  }
  return out;
}

/** Encrypts and signs each message with the given timestamp (seconds). */
export function encryptAll(
  messages: readonly PlannedMessage[],
  timestamp: number,
  responseUrl = 'http://127.0.0.1:9/cgi-bin/aibot/response?response_code=unused',
): Signed[] {
  return messages.map((m) =>
    botCallback(
      botText(m.text, {
        msgid: m.msgid,
        chatid: m.chatId,
        userid: m.senderId,
        aibotid: 'aibBench',
        responseUrl,
      }),
      timestamp,
    ),
  );
}

/** The messages as POSTs to /wecom/bot, encrypted and signed now: what the load generators send. */
export function botRequests(messages: readonly PlannedMessage[]): Request[] {
  return encryptAll(messages, Math.floor(Date.now() / 1000)).map((s) => ({
    path: `/wecom/bot?${s.query}`,
    body: s.body,
  }));
}
