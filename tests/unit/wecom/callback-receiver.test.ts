import { encrypt } from '@wecom/crypto';
import { AppError } from '../../../src/shared/errors';
import { openCallback, type ReceiverSettings } from '../../../src/wecom';
import { APP_SECRETS, BOT_SECRETS, signQuery, type ChannelSecrets } from '../../helpers/wecom-payloads';

const NOW = new Date('2026-11-28T02:00:00Z');
const TS = Math.floor(NOW.getTime() / 1000);

function settings(channel: 'app' | 'bot', secrets: ChannelSecrets): ReceiverSettings {
  return { channel, credentials: secrets, timestampToleranceS: 300, botName: '睦邻助手' };
}
const APP = settings('app', APP_SECRETS);
const BOT = settings('bot', BOT_SECRETS);

const INNER = `<xml><ToUserName>${APP_SECRETS.receiveId}</ToUserName><FromUserName>li.wei</FromUserName><CreateTime>${TS}</CreateTime><MsgType>text</MsgType><Content>3号楼电梯停了</Content><MsgId>42</MsgId></xml>`;

/** What openCallback makes of it: the refusal's code, or the stored text. */
function outcome(s: ReceiverSettings, query: string, body: string): string {
  try {
    return `accepted: ${openCallback(s, query, body, NOW).text}`;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

const wrongQuery = (encrypted: string) => signQuery({ ...APP_SECRETS, token: 'notTheToken' }, encrypted, TS);

describe('openCallback, app channel: the signature is checked before the XML is parsed', () => {
  // Each body is one the XML parser refuses (400); unsigned, it must be refused for its signature
  // instead, which shows the parser never saw it: refusing a forged body costs a scan, not a parse.
  it.each([
    ['not well-formed after the Encrypt', `<xml><Encrypt>abc</Encrypt>${'<a>'.repeat(50)}`],
    [
      'nested deeper than the parser goes',
      `<xml><Encrypt>abc</Encrypt>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</xml>`,
    ],
    ['an unclosed root', '<xml><Encrypt><![CDATA[abc]]></Encrypt>'],
    ['a second Encrypt', '<xml><Encrypt>abc</Encrypt><Encrypt>def</Encrypt></xml>'],
  ])('a wrongly signed body %s → bad_signature', (_name, body) => {
    expect(outcome(APP, wrongQuery('abc'), body)).toBe('bad_signature');
  });

  it('the same bodies, correctly signed, still go through the parser and are refused as bad requests', () => {
    for (const body of [
      `<xml><Encrypt>abc</Encrypt>${'<a>'.repeat(50)}`,
      `<xml><Encrypt>abc</Encrypt>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</xml>`,
      '<xml><Encrypt><![CDATA[abc]]></Encrypt>',
      '<xml><Encrypt>abc</Encrypt><Encrypt>def</Encrypt></xml>',
    ]) {
      expect(outcome(APP, signQuery(APP_SECRETS, 'abc', TS), body)).toBe('bad_request');
    }
  });

  it.each([
    ['no Encrypt element', '<xml><ToUserName>ww</ToUserName></xml>'],
    ['an Encrypt never closed', '<xml><Encrypt>abc</xml>'],
    ['an empty Encrypt', '<xml><Encrypt><![CDATA[]]></Encrypt></xml>'],
    ['JSON instead of XML', '{"encrypt":"abc"}'],
    ['a DTD', '<!DOCTYPE xml [<!ENTITY x "abc">]><xml><Encrypt>&x;</Encrypt></xml>'],
  ])('a body with %s → bad_request, whatever the signature', (_name, body) => {
    expect(outcome(APP, wrongQuery('abc'), body)).toBe('bad_request');
  });

  it('opens an Encrypt in CDATA or as plain text, with whitespace around it', () => {
    const encrypted = encrypt(APP_SECRETS.aesKey, INNER, APP_SECRETS.receiveId);
    for (const element of [
      `<Encrypt><![CDATA[${encrypted}]]></Encrypt>`,
      `<Encrypt>${encrypted}</Encrypt>`,
      `<Encrypt>\n    ${encrypted}\n  </Encrypt>`,
      `<Encrypt>\n  <![CDATA[${encrypted}]]>\n</Encrypt>`,
    ]) {
      const body = `<xml>\n  <ToUserName><![CDATA[${APP_SECRETS.receiveId}]]></ToUserName>\n  ${element}\n  <AgentID>1000005</AgentID>\n</xml>`;
      expect(outcome(APP, signQuery(APP_SECRETS, encrypted, TS), body)).toBe('accepted: 3号楼电梯停了');
    }
  });

  // The signature covers the Encrypt the scan finds; what is decrypted must be what the XML says.
  // Here the scan's (signed) Encrypt sits in a comment or another element's text, and the real
  // element holds another valid ciphertext that nobody signed: it must not get in.
  it.each([
    [
      'a comment',
      (signed: string, other: string) =>
        `<xml><!-- <Encrypt>${signed}</Encrypt> --><Encrypt>${other}</Encrypt></xml>`,
    ],
    [
      'another element',
      (signed: string, other: string) =>
        `<xml><Note><![CDATA[<Encrypt>${signed}</Encrypt>]]></Note><Encrypt>${other}</Encrypt></xml>`,
    ],
    [
      'a nested element',
      (signed: string, other: string) =>
        `<xml><Note><Encrypt>${signed}</Encrypt></Note><Encrypt>${other}</Encrypt></xml>`,
    ],
  ])('a signed Encrypt in %s, with an unsigned one in its place → bad_request', (_name, build) => {
    const signed = encrypt(APP_SECRETS.aesKey, INNER, APP_SECRETS.receiveId);
    const other = encrypt(
      APP_SECRETS.aesKey,
      INNER.replace('3号楼电梯停了', '偷偷塞进来的'),
      APP_SECRETS.receiveId,
    );
    expect(outcome(APP, signQuery(APP_SECRETS, signed, TS), build(signed, other))).toBe('bad_request');
  });
});

describe('openCallback, robot channel', () => {
  const BOT_INNER = JSON.stringify({
    msgid: 'm1',
    chatid: 'wrkGroup',
    chattype: 'group',
    from: { userid: 'zhang.min' },
    msgtype: 'text',
    text: { content: '@睦邻助手 #报修 楼道灯不亮' },
  });
  const botWrongQuery = (encrypted: string) =>
    signQuery({ ...BOT_SECRETS, token: 'notTheToken' }, encrypted, TS);

  // As on the app channel: bodies JSON.parse refuses (400), unsigned, are refused for their
  // signature, so the parse never ran: a forged body costs a scan, not a parse.
  it.each([
    ['cut off after the encrypt', `{"encrypt":"abc","x":[${'[1],'.repeat(50)}`],
    ['with a trailing comma', '{"encrypt":"abc",}'],
    ['a second encrypt', '{"encrypt":"abc","encrypt":"def"}'],
  ])('a wrongly signed body %s → bad_signature', (_name, body) => {
    expect(outcome(BOT, botWrongQuery('abc'), body)).toBe('bad_signature');
  });

  it('the same bodies, correctly signed, still go through the parser and are refused as bad requests', () => {
    for (const body of [
      `{"encrypt":"abc","x":[${'[1],'.repeat(50)}`,
      '{"encrypt":"abc",}',
      '{"encrypt":"abc","encrypt":"def"}',
    ]) {
      expect(outcome(BOT, signQuery(BOT_SECRETS, 'abc', TS), body)).toBe('bad_request');
    }
  });

  it.each([
    ['no encrypt', '{"msg":"hi"}'],
    ['an encrypt that is not a string', '{"encrypt":123}'],
    ['an empty encrypt', '{"encrypt":""}'],
    ['"encrypt" only as a value', '["encrypt","abc"]'],
    ['XML instead of JSON', '<xml><Encrypt>abc</Encrypt></xml>'],
  ])('a body with %s → bad_request, whatever the signature', (_name, body) => {
    expect(outcome(BOT, botWrongQuery('abc'), body)).toBe('bad_request');
  });

  it('opens an envelope with whitespace, other fields first, and "/" written as "\\/"', () => {
    const encrypted = encrypt(BOT_SECRETS.aesKey, BOT_INNER, BOT_SECRETS.receiveId);
    for (const body of [
      JSON.stringify({ encrypt: encrypted }),
      `{\n  "tousername": "x",\n  "encrypt" : "${encrypted}"\n}`,
      JSON.stringify({ encrypt: encrypted }).replace(/\//g, '\\/'),
    ]) {
      expect(outcome(BOT, signQuery(BOT_SECRETS, encrypted, TS), body)).toBe('accepted: #报修 楼道灯不亮');
    }
  });

  it.each([
    [
      'a nested object',
      (signed: string, other: string) => `{"x":{"encrypt":"${signed}"},"encrypt":"${other}"}`,
    ],
    ['a repeated key', (signed: string, other: string) => `{"encrypt":"${signed}","encrypt":"${other}"}`],
  ])('a signed encrypt in %s, with an unsigned one in its place → bad_request', (_name, build) => {
    const signed = encrypt(BOT_SECRETS.aesKey, BOT_INNER, BOT_SECRETS.receiveId);
    const other = encrypt(
      BOT_SECRETS.aesKey,
      BOT_INNER.replace('楼道灯不亮', '偷偷塞进来的'),
      BOT_SECRETS.receiveId,
    );
    expect(outcome(BOT, signQuery(BOT_SECRETS, signed, TS), build(signed, other))).toBe('bad_request');
  });

  it('checks the signature over the encrypt string as sent, escapes and all', () => {
    // Signed correctly over a string with a NUL in it: bad ciphertext (400), not a bad signature.
    // The envelope is read as plain JSON; the character clean-up is for the decrypted message only.
    const sent = 'abc\u0000';
    expect(outcome(BOT, signQuery(BOT_SECRETS, sent, TS), JSON.stringify({ encrypt: sent }))).toBe(
      'bad_request',
    );
  });
});
