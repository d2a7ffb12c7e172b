import { splitQuotedReply, toHalfWidth, trimEndWhere, trimPunctuation } from './text';

export type CommandName =
  | 'ack'
  | 'note'
  | 'done'
  | 'assign'
  | 'escalate'
  | 'council'
  | 'withdraw'
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
}

export interface CommandVerbSpec {
  /** Chinese verbs, typed at the start of the message: `接单 12`. */
  readonly zh: readonly string[];
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
    summary: '补充进展',
  },
  done: {
    zh: ['办结'],
    slash: ['done'],
    needsNumber: true,
    takesText: true,
    usage: '办结 12 灯已换好',
    summary: '办完了',
  },
  assign: {
    zh: ['转派'],
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
    slash: ['withdraw'],
    needsNumber: true,
    takesText: false,
    usage: '撤回 12',
    summary: '撤回自己的请求',
  },
  rate_good: {
    zh: ['满意'],
    slash: ['rate'],
    slashChoices: ['good'],
    needsNumber: true,
    takesText: true,
    usage: '满意 12（或 /rate 12 good）',
    summary: '评价满意',
  },
  rate_bad: {
    zh: ['不满意'],
    slash: ['rate'],
    slashChoices: ['bad'],
    needsNumber: true,
    takesText: true,
    usage: '不满意 12 原因（或 /rate 12 bad 原因）',
    summary: '评价不满意',
  },
  show: {
    zh: ['查询'],
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

/** Chinese verbs, longest first so `不满意` is not read as something shorter. */
const ZH_VERBS: readonly { verb: string; name: CommandName }[] = NAMES.flatMap((name) =>
  COMMAND_VERBS[name].zh.map((verb) => ({ verb, name })),
).sort((a, b) => b.verb.length - a.verb.length);

/**
 * What may follow a Chinese verb for it to be a command: the end, a space, the number, an
 * @mention or a separator. Anything else means the verb is part of a sentence (`接单了`,
 * `满意度调查`, `帮助一下老人`).
 */
const AFTER_ZH_VERB = /^(?:$|[\s\d#@:：,，.。!！?？~～])/u;

/**
 * A request number: `12`, `#12`, `12号`, optionally after a colon. More than nine digits is a
 * phone number or an id, and a number glued to 号楼/栋/单元/层/室 is an address (`办结 12号楼…`):
 * neither is a request number, so both are left in the text.
 */
const NUMBER = /^\s?[:：]?\s?#?\s?(\d{1,9})(?!\d|号?[楼栋院]|单元|层|室)号?/u;

/**
 * Not after a letter or digit, so an e-mail address is not a mention. A typed name ends at a space
 * or at punctuation that cannot be in a name (`@李秀兰，麻烦你` names 李秀兰); a userid's dot stays.
 */
const MENTION = /(?<![A-Za-z0-9])[@＠]([^\s,，。!！?？;；:：、~～]+)/gu;
/** Punctuation typed straight after a name (`@张三。`) is not part of it. */
const MENTION_TAIL = /^[,，.。!！?？;；:：、~～]$/u;

/**
 * Reads a command typed at the start of a message: a Chinese verb (`接单 12`, `接单#12`,
 * `进展 12 已联系师傅`) or a slash verb (`/ack 12`, `／ACK １２`). Returns null when the message
 * does not start with one, so `我已经接单了` or `谢谢，很满意` stay chatter.
 */
export function parseCommand(text: string): ParsedCommand | null {
  const { body } = splitQuotedReply(text);
  // Same length as body, so positions found here cut body at the same places.
  const plain = toHalfWidth(body);

  const head = matchVerb(plain);
  if (!head) return null;
  let name = head.name;
  let pos = head.end;

  let requestNo: number | null = null;
  if (COMMAND_VERBS[name].needsNumber) {
    const m = NUMBER.exec(plain.slice(pos));
    if (m) {
      requestNo = Number(m[1]);
      pos += m[0].length;
    }
  }

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

  const { rest, mentions } = splitMentions(body.slice(pos));
  return {
    name,
    requestNo,
    rest: name === 'assign' ? rest.replace(/^给\s?/u, '') : rest,
    mentions,
    ...(missingRating ? { missingRating: true } : {}),
  };
}

function matchVerb(plain: string): { name: CommandName; end: number; slash?: string } | null {
  if (plain.startsWith('/')) {
    const word = /^\/\s?([a-z_]+)(?![a-z_])/iu.exec(plain);
    if (word) {
      const verb = (word[1] ?? '').toLowerCase();
      const name = NAMES.find((n) => COMMAND_VERBS[n].slash.includes(verb));
      return name ? { name, end: word[0].length, slash: verb } : null;
    }
    // `/接单 12` is accepted too: the slash is a habit from other bots.
    const zh = matchZhVerb(plain.slice(1).trimStart());
    return zh ? { name: zh.name, end: plain.length - plain.slice(1).trimStart().length + zh.end } : null;
  }
  return matchZhVerb(plain);
}

function matchZhVerb(plain: string): { name: CommandName; end: number } | null {
  for (const { verb, name } of ZH_VERBS) {
    if (plain.startsWith(verb) && AFTER_ZH_VERB.test(plain.slice(verb.length)))
      return { name, end: verb.length };
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
