import { createCipheriv, randomBytes } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import fc from 'fast-check';
import { APP_SECRETS, BOT_SECRETS, type ChannelSecrets } from '../../tests/helpers/wecom-payloads';

/**
 * Malformed callbacks for the fuzz case, each one wrong in a known way and otherwise as valid as
 * possible: correctly signed (so it reaches decryption) with a fresh timestamp, so that nothing but
 * the fault makes the service refuse it. Every generated input must be refused with a 4xx and
 * store nothing. Envelopes are built here byte by byte (AES-256-CBC without auto padding) so the
 * padding and the length field can be wrong; the valid parts use @wecom/crypto, not Mulin's code.
 */
export interface FuzzInput {
  readonly kind: string;
  readonly method: 'GET' | 'POST';
  readonly channel: 'bot' | 'app';
  readonly query: string;
  readonly body?: Buffer;
}

type Channel = 'bot' | 'app';
const SECRETS: Record<Channel, ChannelSecrets> = { bot: BOT_SECRETS, app: APP_SECRETS };
const BLOCK = 32;

let nonce = 0;
function signedQuery(channel: Channel, encrypted: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const n = String(700000 + ++nonce);
  const signature = getSignature(SECRETS[channel].token, String(timestamp), n, encrypted);
  return `msg_signature=${signature}&timestamp=${timestamp}&nonce=${n}`;
}

function aes(channel: Channel, plain: Buffer): string {
  const key = Buffer.from(`${SECRETS[channel].aesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

export type Padding = { readonly kind: 'byte'; readonly value: number } | { readonly kind: 'inconsistent' };

/** random(16) | length(4, BE) | msg | receiveid, padded to 32 bytes: wrong in the given ways. */
export function frame(
  msg: Buffer,
  receiveId: string,
  options: { lengthDelta?: number; padding?: Padding } = {},
): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(Math.max(0, Math.min(0xffffffff, msg.length + (options.lengthDelta ?? 0))));
  const body = Buffer.concat([randomBytes(16), length, msg, Buffer.from(receiveId, 'utf8')]);
  const padding = options.padding;
  if (!padding) {
    const pad = BLOCK - (body.length % BLOCK);
    return Buffer.concat([body, Buffer.alloc(pad, pad)]);
  }
  const pad = BLOCK - (body.length % BLOCK) || BLOCK;
  const tail = Buffer.alloc(pad, padding.kind === 'byte' ? padding.value : pad);
  if (padding.kind === 'inconsistent') tail[0] = (pad + 1) % 256;
  return Buffer.concat([body, tail]);
}

function appEnvelope(encrypted: string): string {
  return `<xml><ToUserName><![CDATA[${APP_SECRETS.receiveId}]]></ToUserName><AgentID><![CDATA[1000005]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
}

/** A POST of this ciphertext, signed, in the channel's envelope. */
function postOf(kind: string, channel: Channel, encrypted: string, timestamp?: number): FuzzInput {
  const body = channel === 'bot' ? JSON.stringify({ encrypt: encrypted }) : appEnvelope(encrypted);
  return {
    kind,
    method: 'POST',
    channel,
    query: signedQuery(channel, encrypted, timestamp),
    body: Buffer.from(body),
  };
}

/** A URL verification GET of this echostr, signed. */
function getOf(kind: string, channel: Channel, encrypted: string): FuzzInput {
  return {
    kind,
    method: 'GET',
    channel,
    query: `${signedQuery(channel, encrypted)}&echostr=${encodeURIComponent(encrypted)}`,
  };
}

const channel = fc.constantFrom<Channel>('bot', 'app');

/** A complete app text message, with `content` put in as it stands (it may name an entity). */
function appMessageXml(msgid: string, content = 'hi'): string {
  return `<xml><ToUserName>${APP_SECRETS.receiveId}</ToUserName><FromUserName>fuzz.user</FromUserName><CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>${content}</Content><MsgId>${msgid}</MsgId><AgentID>1</AgentID></xml>`;
}

/** A well-formed message of the channel, so only the envelope around it is wrong. */
function validMessage(c: Channel, msgid: string, content = '@睦邻助手 #报修 楼道灯不亮'): Buffer {
  if (c === 'bot') {
    return Buffer.from(
      JSON.stringify({
        msgid,
        chatid: 'wrkBench00001',
        chattype: 'group',
        from: { userid: 'fuzz.user' },
        msgtype: 'text',
        text: { content },
      }),
    );
  }
  return Buffer.from(appMessageXml(msgid));
}

/**
 * A valid callback built the way the malformed ones are: the control that shows they are wrong
 * only in their fault, and that the case's "nothing stored" query would see a stored message.
 */
export function validCallback(c: Channel, msgid: string): FuzzInput {
  return postOf(
    'valid',
    c,
    encrypt(SECRETS[c].aesKey, validMessage(c, msgid).toString(), SECRETS[c].receiveId),
  );
}

/**
 * Valid robot posts whose text is a long wall of what the desk trims or shortens: marks, emoji,
 * a mention full of dots. Read with a pattern retried from every character, each held the one
 * event loop every callback shares for half a minute; they must be answered like any post.
 */
export function hostileTextCallbacks(msgidPrefix: string): FuzzInput[] {
  const wall = (mark: string) => mark.repeat(60_000);
  const texts = [
    `@睦邻助手 #报修 楼道灯坏了${wall('！')}谢谢`,
    `@睦邻助手 #报修 楼道灯坏了${wall('😀')}谢谢`,
    `@睦邻助手 转派 12 @wang${wall('.')}x 请跟进`,
    `@睦邻助手 #报修 2单元楼道灯不亮${'好几天了'.repeat(25_000)}`,
  ];
  return texts.map((text, i) =>
    postOf(
      'hostile text',
      'bot',
      encrypt(
        SECRETS.bot.aesKey,
        validMessage('bot', `${msgidPrefix}${i}`, text).toString(),
        SECRETS.bot.receiveId,
      ),
    ),
  );
}

const msgid = fc.stringMatching(/^[A-Za-z0-9]{8,24}$/);
const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 that is not: stray characters, a broken length, padding in the middle, or empty. */
const brokenBase64 = fc.oneof(
  fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 200 }),
      fc.constantFrom('!', '-', '_', ' ', '%', '*', '\u00e9', '='),
    )
    .map(([s, bad]) => `${Buffer.from(s).toString('base64').replace(/=+$/, '')}${bad}A`),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => {
    const b64 = Buffer.from(bytes).toString('base64');
    return b64.length % 4 === 0 ? `${b64}A` : b64.replace(/=+$/, '').concat('A');
  }),
  fc
    .uint8Array({ minLength: 4, maxLength: 300 })
    .map((bytes) => Buffer.from(bytes).toString('base64'))
    .map((b64) => `${b64.slice(0, 4)}==${b64.slice(4)}`),
  fc.string({ unit: fc.constantFrom(...BASE64_CHARS.split('')), minLength: 1, maxLength: 3 }),
);

/** Valid base64 whose bytes are not a multiple of the 32-byte block. */
const badCipherLength = fc
  .uint8Array({ minLength: 1, maxLength: 400 })
  .filter((bytes) => bytes.length % 32 !== 0)
  .map((bytes) => Buffer.from(bytes).toString('base64'));

const padding: fc.Arbitrary<Padding> = fc.oneof(
  fc.constant<Padding>({ kind: 'byte', value: 0 }),
  fc.integer({ min: 33, max: 255 }).map((value): Padding => ({ kind: 'byte', value })),
  fc.constant<Padding>({ kind: 'inconsistent' }),
);

/** JSON that is not a robot message: any value but an object with msgid, from.userid and msgtype. */
const notABotMessage = fc.oneof(
  fc.jsonValue().filter((v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return true;
    const o = v as Record<string, unknown>;
    return typeof o.msgtype !== 'string' || typeof o.msgid !== 'string' || typeof o.from !== 'object';
  }),
  fc.string().filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);

/** XML a parser must not expand or fetch: DTDs, internal and external entities, billion laughs. */
const hostileXml = fc.constantFrom(
  '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><xml><FromUserName>&d;</FromUserName><MsgType>text</MsgType><MsgId>1</MsgId></xml>',
  '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><FromUserName>&x;</FromUserName><MsgType>text</MsgType><MsgId>2</MsgId></xml>',
  '<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd"><xml><MsgType>text</MsgType></xml>',
  '<!doctype xml [<!entity e "e">]><xml><Encrypt>&e;</Encrypt></xml>',
  '<xml><FromUserName>a</FromUserName><MsgType>text</MsgType><MsgId>3</MsgId>',
  '<xml><![CDATA[</xml>',
  '<xml>&undefined;</xml>',
  '<notxml><MsgType>text</MsgType></notxml>',
  '<xml><MsgType>text</MsgType><MsgId>4</MsgId></xml>',
  '<xml><FromUserName>u</FromUserName><MsgType>text</MsgType></xml>',
  '',
);

/**
 * DTDs in front of XML that is otherwise a complete, valid message: refused for the DTD alone.
 * (The hostile XML above is also incomplete, so a parser that let DTDs through would still see
 * its answer be 4xx for the missing fields; these would be stored.) Each uses the entity it
 * declares, where it declares one, in the Content.
 */
const dtdBeforeMessage = fc.constantFrom<(body: string) => string>(
  (body) => `<!DOCTYPE xml [<!ENTITY e "楼道灯不亮">]>${body.replace('>hi<', '>&e;<')}`,
  (body) =>
    `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${body.replace('>hi<', '>&c;<')}`,
  (body) => `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>${body.replace('>hi<', '>&x;<')}`,
  (body) => `<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">${body}`,
  (body) => `<!doctype xml [<!element xml ANY>]>${body}`,
);

function utf8Invalid(): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      fc.string({ maxLength: 50 }),
      fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x9f, 0x98]),
    )
    .map(([s, bad]) => Buffer.concat([Buffer.from(s), Buffer.from(bad)]));
}

/** Every kind of malformed input; each value is a complete request. */
export function malformedInput(): fc.Arbitrary<FuzzInput> {
  return fc.oneof(
    fc.tuple(channel, brokenBase64).map(([c, enc]) => postOf('broken base64', c, enc)),
    fc.tuple(channel, brokenBase64).map(([c, enc]) => getOf('broken base64 echostr', c, enc)),
    fc.tuple(channel, badCipherLength).map(([c, enc]) => postOf('ciphertext not in 32-byte blocks', c, enc)),
    fc
      .tuple(channel, msgid, padding)
      .map(([c, id, p]) =>
        postOf(
          `padding ${p.kind === 'byte' ? (p.value === 0 ? '0' : 'above 32') : 'inconsistent'}`,
          c,
          aes(c, frame(validMessage(c, id), SECRETS[c].receiveId, { padding: p })),
        ),
      ),
    fc
      .tuple(channel, fc.string({ minLength: 1, maxLength: 40 }), padding)
      .map(([c, echo, p]) =>
        getOf(
          'bad padding echostr',
          c,
          aes(c, frame(Buffer.from(echo), SECRETS[c].receiveId, { padding: p })),
        ),
      ),
    fc.tuple(channel, msgid, fc.integer({ min: 1, max: 0x7fffffff })).map(([c, id, delta]) =>
      postOf(
        'length field past the buffer',
        c,
        aes(
          c,
          frame(validMessage(c, id), SECRETS[c].receiveId, {
            lengthDelta: delta + SECRETS[c].receiveId.length,
          }),
        ),
      ),
    ),
    fc
      .tuple(channel, msgid, fc.string({ minLength: 1, maxLength: 30 }))
      .filter(([c, , other]) => other !== SECRETS[c].receiveId)
      .map(([c, id, other]) =>
        postOf('another receiver', c, encrypt(SECRETS[c].aesKey, validMessage(c, id).toString(), other)),
      ),
    fc
      .tuple(channel, utf8Invalid())
      .map(([c, bytes]) => postOf('plaintext not UTF-8', c, aes(c, frame(bytes, SECRETS[c].receiveId)))),
    notABotMessage.map((v) =>
      postOf(
        'not a robot message',
        'bot',
        encrypt(BOT_SECRETS.aesKey, typeof v === 'string' ? v : JSON.stringify(v), ''),
      ),
    ),
    hostileXml.map((xml) =>
      postOf(
        'hostile or incomplete inner XML',
        'app',
        encrypt(APP_SECRETS.aesKey, xml, APP_SECRETS.receiveId),
      ),
    ),
    fc
      .tuple(msgid, dtdBeforeMessage)
      .map(([id, withDtd]) =>
        postOf(
          'DTD before a complete inner message',
          'app',
          encrypt(APP_SECRETS.aesKey, withDtd(appMessageXml(id)), APP_SECRETS.receiveId),
        ),
      ),
    fc.tuple(msgid, dtdBeforeMessage).map(([id, withDtd]): FuzzInput => {
      // A valid, correctly signed message whose envelope alone carries the DTD.
      const encrypted = encrypt(APP_SECRETS.aesKey, appMessageXml(id), APP_SECRETS.receiveId);
      const envelope = appEnvelope(encrypted);
      return {
        kind: 'DTD in the envelope of a complete message',
        method: 'POST',
        channel: 'app',
        query: signedQuery('app', encrypted),
        body: Buffer.from(withDtd(envelope)),
      };
    }),
    hostileXml.map((xml) => ({
      kind: 'hostile outer XML',
      method: 'POST' as const,
      channel: 'app' as const,
      query: signedQuery('app', 'x'),
      body: Buffer.from(xml),
    })),
    fc.tuple(channel, msgid, fc.stringMatching(/^[0-9a-f]{40}$/)).map(([c, id, sig]) => {
      const input = postOf(
        'wrong signature',
        c,
        encrypt(SECRETS[c].aesKey, validMessage(c, id).toString(), SECRETS[c].receiveId),
      );
      return { ...input, query: input.query.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${sig}`) };
    }),
    fc
      .tuple(channel, msgid, fc.integer({ min: 301, max: 10 ** 9 }), fc.boolean())
      .map(([c, id, skew, past]) =>
        postOf(
          'stale timestamp',
          c,
          encrypt(SECRETS[c].aesKey, validMessage(c, id).toString(), SECRETS[c].receiveId),
          Math.max(0, Math.floor(Date.now() / 1000) + (past ? -skew : skew)),
        ),
      ),
    fc
      .tuple(
        channel,
        fc.constantFrom(
          '',
          'timestamp=1&nonce=2',
          'msg_signature=a&nonce=2',
          'msg_signature=a&timestamp=x&nonce=1',
          'msg_signature=%zz&timestamp=1&nonce=1',
          'msg_signature=a&timestamp=99999999999999&nonce=1',
        ),
        fc.constantFrom<'GET' | 'POST'>('GET', 'POST'),
      )
      .map(([c, query, method]) => ({
        kind: 'bad query',
        method,
        channel: c,
        query,
        body: Buffer.from('{"encrypt":"AAAA"}'),
      })),
    fc
      .tuple(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
        ),
      )
      .filter(([text]) => {
        try {
          const v = JSON.parse(text) as unknown;
          return !(
            v !== null &&
            typeof v === 'object' &&
            typeof (v as { encrypt?: unknown }).encrypt === 'string' &&
            (v as { encrypt: string }).encrypt !== ''
          );
        } catch {
          return true;
        }
      })
      .map(([text]) => ({
        kind: 'not an envelope',
        method: 'POST' as const,
        channel: 'bot' as const,
        query: signedQuery('bot', 'x'),
        body: Buffer.from(text, 'latin1'),
      })),
    fc.uint8Array({ maxLength: 2000 }).map((bytes) => ({
      kind: 'random bytes',
      method: 'POST' as const,
      channel: 'app' as const,
      query: signedQuery('app', 'x'),
      body: Buffer.from(bytes),
    })),
  );
}
