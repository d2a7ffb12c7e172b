import { splitQuotedReply, toHalfWidth, trimEndWhere, trimPunctuation } from './text';

export type CommandName =
  | 'ack'
  | 'note'
  | 'done'
  | 'assign'
  | 'escalate'
  | 'council'
  | 'withdraw'
  | 'supplement'
  | 'chase'
  | 'rate_good'
  | 'rate_bad'
  | 'show'
  | 'todo'
  | 'help';

export interface ParsedCommand {
  readonly name: CommandName;
  /** The request number; null when the command needs one and none was given (answer with usage). */
  readonly requestNo: number | null;
  /** Free text after the number, without @mentions; '' when there is none. */
  readonly rest: string;
  /** Names from `@name` tokens in the text after the verb, in order. */
  readonly mentions: readonly string[];
  /** `/rate 12` or `/rate` without good or bad: the rating is not there (ask for it). */
  readonly missingRating?: true;
  /**
   * `转给李秀兰` with no number: 转给 is also a word (`转给物业了吗`), so this is the command only if
   * what follows names someone in the ledger; the desk, which has the ledger, decides.
   */
  readonly onlyIfNamed?: true;
  /**
   * Further request numbers typed after the first (`接单 1 2`, `满意 1、2`). A command acts on one
   * request, so the caller asks for one at a time rather than silently acting on the first.
   */
  readonly otherNos?: readonly number[];
}

export interface CommandVerbSpec {
  /** Chinese verbs, typed at the start of the message: `接单 12`. The first is the one shown. */
  readonly zh: readonly string[];
  /**
   * Everyday words for the verb that mean it only when a request number goes with them:
   * `收到 12`, `修好了 12`, `取消 5`. Without one they are chatter (`收到，谢谢`, `修好了，谢谢师傅`),
   * not a command asking for its number. (转给 followed by a name may be one: see onlyIfNamed.)
   */
  readonly zhWithNumber?: readonly string[];
  /** Slash verbs, case-insensitive: `/ack 12`. */
  readonly slash: readonly string[];
  /** For `/rate 12 good|bad`: the words after the number that select this command. */
  readonly slashChoices?: readonly string[];
  readonly needsNumber: boolean;
  /** Whether text after the number means something (a note, a reason, an @assignee). */
  readonly takesText: boolean;
  /** How to type it, for help and usage replies. */
  readonly usage: string;
  /** What it does, in a few words, for help replies. */
  readonly summary: string;
}

export const COMMAND_VERBS: Readonly<Record<CommandName, CommandVerbSpec>> = {
  ack: {
    zh: ['接单'],
    zhWithNumber: ['收到'],
    slash: ['ack'],
    needsNumber: true,
    takesText: false,
    usage: '接单 12',
    summary: '认领这件事',
  },
  note: {
    zh: ['进展'],
    slash: ['note'],
    needsNumber: true,
    takesText: true,
    usage: '进展 12 已联系师傅',
    summary: '补充进展，可带照片',
  },
  done: {
    zh: ['办结', '已办结', '办完', '结单'],
    zhWithNumber: ['完成', '已完成', '修好了', '已修好'],
    slash: ['done'],
    needsNumber: true,
    takesText: true,
    usage: '办结 12 灯已换好',
    summary: '办完了，可带照片',
  },
  assign: {
    // 转派给 is 转派 with whom to (`转派给李秀兰`, `转派 给李秀兰`); 转给 may be other words.
    zh: ['转派', '转派给'],
    zhWithNumber: ['转给'],
    slash: ['assign'],
    needsNumber: true,
    takesText: true,
    usage: '转派 12 @某人',
    summary: '交给别人办',
  },
  escalate: {
    zh: ['上报'],
    slash: ['escalate'],
    needsNumber: true,
    takesText: true,
    usage: '上报 12 需要街道协调',
    summary: '报给网格员、街道',
  },
  council: {
    zh: ['议事'],
    slash: ['council'],
    needsNumber: true,
    takesText: false,
    usage: '议事 12',
    summary: '拿到议事会商量',
  },
  withdraw: {
    zh: ['撤回'],
    zhWithNumber: ['取消', '撤销'],
    slash: ['withdraw'],
    needsNumber: true,
    takesText: false,
    usage: '撤回 12',
    summary: '撤回自己的请求',
  },
  supplement: {
    zh: ['补充'],
    slash: ['add'],
    needsNumber: true,
    takesText: true,
    usage: '补充 12 是三楼不是二楼',
    summary: '补充情况或照片',
  },
  chase: {
    zh: ['催办', '催一下', '催催'],
    // A complaint, not a request to chase, unless it names which request: `#12怎么还没修`,
    // `还没修好 12` (a bare number before it is a room: `301还没修好`).
    zhWithNumber: ['怎么还没修', '怎么还没修好', '还没修好'],
    slash: ['chase'],
    needsNumber: true,
    takesText: false,
    usage: '催办 12',
    summary: '催处理人',
  },
  rate_good: {
    zh: ['满意', '很满意', '非常满意', '好评'],
    slash: ['rate'],
    slashChoices: ['good'],
    needsNumber: true,
    takesText: true,
    usage: '满意 12（或 /rate 12 good）',
    summary: '评价满意',
  },
  rate_bad: {
    zh: ['不满意', '很不满意', '非常不满意', '差评'],
    slash: ['rate'],
    slashChoices: ['bad'],
    needsNumber: true,
    takesText: true,
    usage: '不满意 12 原因（或 /rate 12 bad 原因）',
    summary: '评价不满意',
  },
  show: {
    zh: ['查询', '查询一下', '进度'],
    zhWithNumber: ['查'],
    slash: ['show'],
    needsNumber: true,
    takesText: false,
    usage: '查询 12',
    summary: '看一件事的进度',
  },
  todo: {
    zh: ['待办'],
    slash: ['todo'],
    needsNumber: false,
    takesText: false,
    usage: '待办',
    summary: '看还没办完的事',
  },
  help: {
    zh: ['帮助'],
    slash: ['help'],
    needsNumber: false,
    takesText: true,
    usage: '帮助',
    summary: '看怎么用',
  },
};

const NAMES = Object.keys(COMMAND_VERBS) as CommandName[];

/** A verb found at the start of the text. */
interface VerbMatch {
  readonly name: CommandName;
  /** Where the verb ends in the text. */
  readonly end: number;
  /** The slash verb as typed (`rate`), for slash forms. */
  readonly slash?: string;
  /** An everyday word that is the verb only with a number (see zhWithNumber). */
  readonly onlyWithNumber: boolean;
  /** Followed straight by a name, its number last: `转给李秀兰 3`. */
  readonly nameFollows: boolean;
}

interface ZhVerb {
  readonly verb: string;
  readonly name: CommandName;
  /** The verb as typed, with at most one space between its characters (`接 单 12`). */
  readonly pattern: RegExp;
  readonly onlyWithNumber: boolean;
  readonly nameFollows: boolean;
}

function zhVerb(verb: string, name: CommandName, onlyWithNumber: boolean): ZhVerb {
  // Verbs are plain Chinese words: one character, one code point.
  const pattern = new RegExp(`^${Array.from(verb).join(' ?')}`, 'u');
  // A verb ending in 给 (转给, 转派给) is followed by whom to, not by a separator.
  return { verb, name, pattern, onlyWithNumber, nameFollows: verb.endsWith('给') };
}

/** Chinese verbs, longest first so `不满意` is not read as something shorter. */
const ZH_VERBS: readonly ZhVerb[] = NAMES.flatMap((name) => [
  ...COMMAND_VERBS[name].zh.map((verb) => zhVerb(verb, name, false)),
  ...(COMMAND_VERBS[name].zhWithNumber ?? []).map((verb) => zhVerb(verb, name, true)),
]).sort((a, b) => b.verb.length - a.verb.length);

/**
 * What may follow a Chinese verb for it to be a command: the end, a space, the number (also
 * `第12号`, `No.12`), an @mention or a separator. Anything else means the verb is part of a
 * sentence (`接单了`, `满意度调查`, `帮助一下老人`).
 */
const AFTER_ZH_VERB = /^(?:$|[\s\d#@:：,，.。!！?？~～]|第\d|no\.? ?\d)/iu;

/** The part of a request number shared by the patterns below: `12`, `#12`, `第12号`, `No.12`. */
const NUMBER_CORE = String.raw`(?:第|no\.? ?|# ?)?(\d{1,9})(?!\d|号?[楼栋院]|单元|层|室)号?`;

/**
 * A request number after a verb, optionally after a colon or comma. More than nine digits is a
 * phone number or an id, and a number glued to 号楼/栋/单元/层/室 is an address (`办结 12号楼…`):
 * neither is a request number, so both are left in the text.
 */
const NUMBER = new RegExp(`^ ?[:：,，]? ?${NUMBER_CORE}`, 'iu');
/** A request number opening the message, the verb after it: `1 满意`, `#3 办结 …`. */
const NUMBER_FIRST = new RegExp(`^${NUMBER_CORE} ?`, 'iu');
/** A request number closing the message, for verbs a name follows: `转给李秀兰 3`. */
const NUMBER_LAST = new RegExp(`(?:^|[ ,，])${NUMBER_CORE}[ 。.!！]*$`, 'iu');
/**
 * Nothing but further numbers: `接单 1 2`, `满意 1、2`, `撤回 4和5`. Each number is a whole run of
 * digits and each gap can be read one way only, so a long text that is almost this fails fast.
 */
const MORE_NUMBERS = /^(?:(?: ?[、,，和及&] ?| )#?\d{1,9}(?!\d)号?)+ ?[。.!！]?$/u;
/** Words that acknowledge before a command: `好的，接单 12`, `收到，办结 3 …`. */
const ACKNOWLEDGEMENT = /^(?:好的|好|行|嗯|收到|可以|ok)[ ,，.。!！]+/iu;

/**
 * Not after a letter or digit, so an e-mail address is not a mention. A typed name ends at a space
 * or at punctuation that cannot be in a name (`@李秀兰，麻烦你` names 李秀兰); a userid's dot stays.
 */
const MENTION = /(?<![A-Za-z0-9])[@＠]([^\s,，。!！?？;；:：、~～]+)/gu;
/** Punctuation typed straight after a name (`@张三。`) is not part of it. */
const MENTION_TAIL = /^[,，.。!！?？;；:：、~～]$/u;

/**
 * Reads a command typed at the start of a message: a Chinese verb (`接单 12`, `接单#12`,
 * `进展 12 已联系师傅`) or a slash verb (`/ack 12`, `／ACK １２`), also after the number
 * (`1 满意`) or after an acknowledgement (`好的，接单 12`); a numbered rating or a withdrawal
 * may also close the message (`谢谢，满意 2`). Returns null otherwise, so `我已经接单了` or
 * `谢谢，很满意` stay chatter.
 */
export function parseCommand(text: string): ParsedCommand | null {
  const { body } = splitQuotedReply(text);
  // Same length as body, so positions found here cut body at the same places.
  const plain = toHalfWidth(body);
  const first = NUMBER_FIRST.exec(plain);
  if (first) {
    const marked = /[#第号]|no/iu.test(first[0]);
    const after = readCommand(body, plain, first[0].length, Number(first[1]), marked);
    if (after) return after;
  }
  const command = readCommand(body, plain, 0, null);
  if (command) return command;
  const ack = ACKNOWLEDGEMENT.exec(plain);
  if (ack) return readCommand(body, plain, ack[0].length, null);
  return closingCommand(body, plain);
}

/** Where a clause of a message starts: after a space or punctuation. */
const CLAUSE_START = /[\s,，.。!！;；~～]+/gu;

/**
 * A resident's rating or withdrawal at the end of what they say: `谢谢，满意 2`,
 * `还是不亮，不满意 2 又坏了`, `不用了猫走了，撤回`. Only these, and a rating only with its number:
 * anywhere but at the start, other verbs are too often words of a sentence (`谢谢，很满意`).
 */
function closingCommand(body: string, plain: string): ParsedCommand | null {
  for (const clause of plain.matchAll(CLAUSE_START)) {
    const start = clause.index + clause[0].length;
    const command = readCommand(body, plain, start, null);
    if (!command) continue;
    const rating = command.name === 'rate_good' || command.name === 'rate_bad';
    if (rating && command.requestNo !== null) return command;
    if (command.name === 'withdraw' && command.rest === '' && command.mentions.length === 0) return command;
  }
  return null;
}

/**
 * The command whose verb starts at `start`; `givenNo` is a number typed before the verb, `marked`
 * when it was written as a request number (`#12`, `12号`, `第12号`) rather than bare.
 */
function readCommand(
  body: string,
  plain: string,
  start: number,
  givenNo: number | null,
  marked = false,
): ParsedCommand | null {
  const head = matchVerb(plain.slice(start));
  if (!head) return null;
  // A complaint after a bare number is about a flat, not a request: `301还没修好` is the resident's
  // room, and chasing #301 would @ a volunteer about a stranger's request. Anyone may chase, so
  // the number must say it is one (`#301还没修好`); a handler's `3 已修好` is read as before.
  if (head.name === 'chase' && head.onlyWithNumber && givenNo !== null && !marked) return null;
  let name = head.name;
  const spec = COMMAND_VERBS[name];
  if (givenNo !== null && !spec.needsNumber) return null;
  let pos = start + head.end;
  let end = body.length;

  let requestNo = givenNo;
  if (spec.needsNumber && requestNo === null) {
    const m = NUMBER.exec(plain.slice(pos));
    if (m) {
      requestNo = Number(m[1]);
      pos += m[0].length;
    } else if (head.nameFollows) {
      const last = NUMBER_LAST.exec(plain.slice(pos));
      if (last) {
        requestNo = Number(last[1]);
        end = pos + last.index;
      }
    }
  }
  // 转给 followed by a name may be the command (`转给李秀兰`): which, the ledger says (onlyIfNamed).
  const maybeNamed = head.nameFollows && requestNo === null && /[^\s\p{P}]/u.test(plain.slice(pos));
  if (head.onlyWithNumber && requestNo === null && !maybeNamed) return null;

  let missingRating = false;
  if (head.slash === 'rate') {
    const choice = /^\s?(good|bad|不满意|满意|好评|差评)(?![a-z])/iu.exec(plain.slice(pos));
    if (choice) {
      const word = (choice[1] ?? '').toLowerCase();
      name = word === 'bad' || word === '不满意' || word === '差评' ? 'rate_bad' : 'rate_good';
      pos += choice[0].length;
    } else {
      // `/rate` without good|bad cannot be acted on: the caller asks which. Said even when the
      // number is missing too, so a number taken from context does not rate it good unasked.
      missingRating = true;
    }
  }

  const otherNos = requestNo === null ? [] : moreNumbers(plain.slice(pos, end), requestNo);
  const { rest, mentions } = splitMentions(body.slice(pos, end));
  return {
    name,
    requestNo,
    rest: name === 'assign' ? rest.replace(/^给\s?/u, '') : rest,
    mentions,
    ...(missingRating ? { missingRating: true } : {}),
    ...(head.onlyWithNumber && requestNo === null ? { onlyIfNamed: true } : {}),
    ...(otherNos.length > 0 ? { otherNos } : {}),
  };
}

/** The numbers in `text` other than `no`, when the text is nothing but numbers. */
function moreNumbers(text: string, no: number): number[] {
  if (!MORE_NUMBERS.test(text)) return [];
  const all = (text.match(/\d{1,9}/gu) ?? []).map(Number);
  return [...new Set(all)].filter((n) => n !== no);
}

function matchVerb(plain: string): VerbMatch | null {
  if (plain.startsWith('/')) {
    const word = /^\/\s?([a-z_]+)(?![a-z_])/iu.exec(plain);
    if (word) {
      const verb = (word[1] ?? '').toLowerCase();
      const name = NAMES.find((n) => COMMAND_VERBS[n].slash.includes(verb));
      return name
        ? { name, end: word[0].length, slash: verb, onlyWithNumber: false, nameFollows: false }
        : null;
    }
    // `/接单 12` is accepted too: the slash is a habit from other bots.
    const zh = matchZhVerb(plain.slice(1).trimStart());
    return zh ? { ...zh, end: plain.length - plain.slice(1).trimStart().length + zh.end } : null;
  }
  return matchZhVerb(plain);
}

function matchZhVerb(plain: string): VerbMatch | null {
  for (const verb of ZH_VERBS) {
    const m = verb.pattern.exec(plain);
    if (!m) continue;
    // A name may follow 转给 straight away; any other verb needs a separator after it.
    if (verb.nameFollows || AFTER_ZH_VERB.test(plain.slice(m[0].length))) {
      return {
        name: verb.name,
        end: m[0].length,
        onlyWithNumber: verb.onlyWithNumber,
        nameFollows: verb.nameFollows,
      };
    }
  }
  return null;
}

function splitMentions(text: string): { rest: string; mentions: string[] } {
  const mentions: string[] = [];
  const without = text.replace(MENTION, (_, name: string) => {
    const clean = trimEndWhere(name, MENTION_TAIL);
    if (clean) mentions.push(clean);
    return ' ';
  });
  return { rest: trimPunctuation(without.replace(/ {2,}/gu, ' ')), mentions };
}
