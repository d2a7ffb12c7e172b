import { encrypt } from '@wecom/crypto';
import type { DataSource } from 'typeorm';
import { fixedClock } from '../../src/shared/clock';
import { openTestDatabase, truncate, type TestDatabase } from '../helpers/database';
import { startTestService, testEnv, type RunningService } from '../helpers/test-service';
import { vector, type Vector } from '../helpers/vectors';
import {
  APP_SECRETS,
  BOT_SECRETS,
  appCallback,
  botCallback,
  botText,
  signQuery,
  verifyQuery,
} from '../helpers/wecom-payloads';

const NOW = new Date('2026-11-28T02:00:00Z');
const TS = Math.floor(NOW.getTime() / 1000);

let db: TestDatabase;
let dataSource: DataSource;
let service: RunningService;

beforeAll(async () => {
  db = await openTestDatabase();
  dataSource = db.dataSource;
  service = await startTestService({ dataSource, clock: fixedClock(NOW) });
});

afterAll(async () => {
  await service.close();
  await db.close();
});

beforeEach(() => truncate(dataSource, 'inbound_message'));

async function post(path: string, signed: { query: string; body: string }, contentType = 'application/json') {
  return fetch(`${service.url}${path}?${signed.query}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: signed.body,
  });
}

/** A service with an official test vector's app secrets, its clock at the vector's timestamp. */
function vectorService(v: Vector): Promise<RunningService> {
  return startTestService({
    dataSource,
    clock: fixedClock(new Date(Number(v.timestamp) * 1000)),
    env: testEnv({
      WECOM_CORP_ID: v.receiveid,
      WECOM_CALLBACK_TOKEN: v.token,
      WECOM_CALLBACK_AES_KEY: v.encodingAESKey,
    }),
  });
}

async function storedRows(): Promise<Record<string, unknown>[]> {
  return dataSource.query(`SELECT * FROM inbound_message ORDER BY id`);
}

describe('URL verification (GET)', () => {
  it.each([
    ['bot', BOT_SECRETS],
    ['app', APP_SECRETS],
  ] as const)('answers the %s channel with the bare decrypted echostr', async (channel, secrets) => {
    const res = await fetch(
      `${service.url}/wecom/${channel}?${verifyQuery(secrets, '1616140317555161061', TS)}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1616140317555161061');
  });

  it('keeps a "+" in echostr: the official vector, percent-encoded as WeCom sends it', async () => {
    const v = vector('verify_url');
    expect(decodeURIComponent(v.echostr_urlencoded ?? '')).toContain('+');
    const svc = await vectorService(v);
    try {
      const query = `msg_signature=${v.msg_signature}&timestamp=${v.timestamp}&nonce=${v.nonce}&echostr=${v.echostr_urlencoded ?? ''}`;
      const res = await fetch(`${svc.url}/wecom/app?${query}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(v.expected_plaintext);
    } finally {
      await svc.close();
    }
  });

  it('refuses a verification signed with another token', async () => {
    const res = await fetch(
      `${service.url}/wecom/bot?${verifyQuery({ ...BOT_SECRETS, token: 'other' }, '123', TS)}`,
    );
    expect(res.status).toBe(401);
  });
});

describe('messages (POST)', () => {
  it('stores an official app XML message (public vector) once, with its fields', async () => {
    const v = vector('callback_message');
    const svc = await vectorService(v);
    try {
      const query = `msg_signature=${v.msg_signature}&timestamp=${v.timestamp}&nonce=${v.nonce}`;
      const res = await fetch(`${svc.url}/wecom/app?${query}`, { method: 'POST', body: v.body ?? '' });
      expect(res.status).toBe(200);
      const [row] = await storedRows();
      expect(row).toMatchObject({
        channel: 'app',
        msg_type: 'text',
        raw: v.expected_plaintext,
        status: 'processed',
      });
    } finally {
      await svc.close();
    }
  });

  it('stores app text, image and event messages', async () => {
    const xml = (inner: string) =>
      `<xml><ToUserName><![CDATA[${APP_SECRETS.receiveId}]]></ToUserName><FromUserName><![CDATA[li.wei]]></FromUserName><CreateTime>${TS}</CreateTime>${inner}<AgentID>1000005</AgentID></xml>`;
    const sent = [
      xml(
        '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[3号楼电梯停了 <b>&amp;</b>]]></Content><MsgId>7381123456789012345</MsgId>',
      ),
      xml(
        '<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[https://example.invalid/p.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>7381123456789012346</MsgId>',
      ),
      xml(
        '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[click]]></Event><EventKey><![CDATA[REPORT]]></EventKey>',
      ),
    ];
    for (const inner of sent)
      expect((await post('/wecom/app', appCallback(inner, TS), 'text/xml')).status).toBe(200);
    const rows = await storedRows();
    // The app's PicUrl is a plain link, not the robot's encrypted one: nothing for the photo keeper.
    expect(await dataSource.query(`SELECT id FROM inbound_photo`)).toEqual([]);
    expect(
      rows.map((r) => [r.msg_type, r.msg_id, r.dedupe_key, r.sender_id, r.text, r.image_urls, r.event]),
    ).toEqual([
      [
        'text',
        '7381123456789012345',
        'msg:7381123456789012345',
        'li.wei',
        '3号楼电梯停了 <b>&amp;</b>',
        [],
        null,
      ],
      [
        'image',
        '7381123456789012346',
        'msg:7381123456789012346',
        'li.wei',
        null,
        ['https://example.invalid/p.jpg'],
        null,
      ],
      ['event', null, `event:li.wei:${TS}:click:REPORT`, 'li.wei', null, [], 'click'],
    ]);
    expect(rows[0]?.sent_at).toEqual(NOW);
  });

  it('stores robot text, mixed, image, voice and event messages, without the @mention in the text', async () => {
    const base = {
      aibotid: 'aib1',
      chatid: 'wrkB7',
      chattype: 'group',
      from: { userid: 'zhang.min' },
      response_url: 'https://x.invalid/r?c=1',
    };
    const messages = [
      { ...base, msgid: 'm-text', msgtype: 'text', text: { content: '@睦邻助手 #报修 2单元楼道灯不亮' } },
      {
        ...base,
        msgid: 'm-mixed',
        msgtype: 'mixed',
        mixed: {
          msg_item: [
            { msgtype: 'text', text: { content: '@睦邻助手 漏水了' } },
            { msgtype: 'image', image: { url: 'https://x.invalid/i1' } },
          ],
        },
      },
      {
        ...base,
        chattype: 'single',
        chatid: undefined,
        msgid: 'm-image',
        msgtype: 'image',
        image: { url: 'https://x.invalid/i2' },
      },
      {
        ...base,
        chattype: 'single',
        chatid: undefined,
        msgid: 'm-voice',
        msgtype: 'voice',
        voice: { content: '楼下有人吵' },
      },
      {
        ...base,
        chattype: 'single',
        chatid: undefined,
        msgid: 'm-event',
        msgtype: 'event',
        create_time: TS,
        event: { eventtype: 'enter_chat' },
      },
      {
        ...base,
        msgid: 'm-quote',
        msgtype: 'text',
        text: { content: '@睦邻助手 接单 12' },
        quote: { msgtype: 'text', text: { content: '原消息' } },
      },
    ];
    for (const m of messages) expect((await post('/wecom/bot', botCallback(m, TS))).status).toBe(200);
    const rows = await storedRows();
    expect(
      rows.map((r) => [
        r.msg_id,
        r.msg_type,
        r.chat_id,
        r.chat_type,
        r.text,
        r.image_urls,
        r.event,
        r.quoted_text,
      ]),
    ).toEqual([
      ['m-text', 'text', 'wrkB7', 'group', '#报修 2单元楼道灯不亮', [], null, null],
      ['m-mixed', 'mixed', 'wrkB7', 'group', '漏水了', ['https://x.invalid/i1'], null, null],
      ['m-image', 'image', null, 'single', null, ['https://x.invalid/i2'], null, null],
      ['m-voice', 'voice', null, 'single', '楼下有人吵', [], null, null],
      ['m-event', 'event', null, 'single', null, [], 'enter_chat', null],
      ['m-quote', 'text', 'wrkB7', 'group', '接单 12', [], null, '原消息'],
    ]);
    // Each of the robot's image links waits for the photo keeper, in the same transaction.
    const photos = await db.dataSource.query<{ url: string; position: number; status: string }[]>(
      `SELECT url, position, status FROM inbound_photo ORDER BY id`,
    );
    expect(photos).toEqual([
      { url: 'https://x.invalid/i1', position: 1, status: 'pending' },
      { url: 'https://x.invalid/i2', position: 1, status: 'pending' },
    ]);
    // The raw payload keeps the mention; the reply handle is kept for later.
    expect(rows[0]?.raw).toContain('@睦邻助手 #报修');
    expect(rows[0]?.reply_url).toBe('https://x.invalid/r?c=1');
  });

  it('stores a repeated delivery once and answers every copy 200', async () => {
    const message = botText('#报修 水管漏水', { msgid: 'dup-1' });
    for (let i = 0; i < 3; i++)
      expect((await post('/wecom/bot', botCallback(message, TS + i))).status).toBe(200);
    expect(await storedRows()).toHaveLength(1);
  });

  it('stores three concurrent copies of one delivery once', async () => {
    const message = botText('#报修 楼道灯坏了', { msgid: 'concurrent-1' });
    const copies = await Promise.all([0, 1, 2].map((i) => post('/wecom/bot', botCallback(message, TS + i))));
    expect(copies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await storedRows()).toHaveLength(1);
  });

  it('stores two app events from one person in the same second once each, however often they come', async () => {
    // Events carry no MsgId. Keyed on sender and second alone, the second event was taken for a
    // repeat of the first: answered 200 and never stored.
    const event = (name: string, key: string) =>
      `<xml><ToUserName>${APP_SECRETS.receiveId}</ToUserName><FromUserName>li.wei</FromUserName><CreateTime>${TS}</CreateTime><MsgType>event</MsgType><Event>${name}</Event><EventKey>${key}</EventKey><AgentID>1000005</AgentID></xml>`;
    const sent = [event('click', 'REPORT'), event('click', 'QUERY'), event('enter_agent', '')];
    for (const xml of [...sent, ...sent])
      expect((await post('/wecom/app', appCallback(xml, TS), 'text/xml')).status).toBe(200);
    expect((await storedRows()).map((r) => r.dedupe_key)).toEqual([
      `event:li.wei:${TS}:click:REPORT`,
      `event:li.wei:${TS}:click:QUERY`,
      `event:li.wei:${TS}:enter_agent:`,
    ]);
  });

  it('keeps the same msgid on the two channels apart', async () => {
    await post('/wecom/bot', botCallback(botText('你好', { msgid: '42' }), TS));
    const xml = `<xml><ToUserName>${APP_SECRETS.receiveId}</ToUserName><FromUserName>li.wei</FromUserName><CreateTime>${TS}</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>42</MsgId><AgentID>1</AgentID></xml>`;
    await post('/wecom/app', appCallback(xml, TS), 'text/xml');
    expect((await storedRows()).map((r) => r.channel)).toEqual(['bot', 'app']);
  });

  // JSON escapes can carry characters PostgreSQL cannot hold (U+0000 in text and jsonb, an unpaired
  // surrogate in jsonb). Refused by the database, such a message was answered 503 on every retry
  // and lost, with a log line blaming the database.
  it.each([
    ['a NUL character', '2单元\u0000楼道灯不亮', '2单元\uFFFD楼道灯不亮'],
    ['an unpaired surrogate', '2单元\uD800楼道灯不亮', '2单元\uFFFD楼道灯不亮'],
  ])('stores a robot message whose text holds %s, the character replaced', async (_name, sent, stored) => {
    const message = {
      ...botText(`#报修 ${sent}`, { msgid: 'odd-chars' }),
      quote: { msgtype: 'text', text: { content: sent } },
    };
    expect((await post('/wecom/bot', botCallback(message, TS))).status).toBe(200);
    const rows = await storedRows();
    expect(rows.map((r) => [r.text, r.quoted_text])).toEqual([[`#报修 ${stored}`, stored]]);
    expect(rows[0]?.raw).toBe(JSON.stringify(message));
  });

  it.each([
    [
      'robot',
      () => botCallback({ ...botText('#报修 灯坏了', { msgid: 'ms-time' }), create_time: TS * 1000 }, TS),
    ],
    [
      'app',
      () =>
        appCallback(
          `<xml><FromUserName>li.wei</FromUserName><CreateTime>${TS * 1000}</CreateTime><MsgType>text</MsgType><Content>灯坏了</Content><MsgId>77</MsgId></xml>`,
          TS,
        ),
    ],
  ] as const)(
    'stores a message whose send time is in milliseconds (%s channel), without a send time',
    async (channel, build) => {
      const res = await post(`/wecom/${channel === 'robot' ? 'bot' : 'app'}`, build(), 'text/plain');
      expect(res.status).toBe(200);
      expect((await storedRows()).map((r) => r.sent_at)).toEqual([null]);
    },
  );
});

describe('bad input gets a clear status and stores nothing', () => {
  const good = () => botCallback(botText('#报修 灯坏了'), TS);
  const withQuery = (query: string) => ({ query, body: good().body });
  const cases: [string, () => { query: string; body: string }, number][] = [
    ['a wrong signature', () => botCallback(botText('x'), TS, { ...BOT_SECRETS, token: 'wrong' }), 401],
    ['a timestamp 10 minutes old', () => botCallback(botText('x'), TS - 600), 401],
    ['a timestamp 10 minutes ahead', () => botCallback(botText('x'), TS + 600), 401],
    ['no query at all', () => withQuery(''), 400],
    ['no nonce', () => withQuery(good().query.replace(/&nonce=\d+/, '')), 400],
    ['a non-numeric timestamp', () => withQuery(good().query.replace(/timestamp=\d+/, 'timestamp=abc')), 400],
    ['a broken percent-encoding', () => withQuery(`${good().query}&x=%E4%B`), 400],
    ['a body that is not JSON', () => ({ query: good().query, body: '<xml>nope</xml>' }), 400],
    ['JSON without encrypt', () => ({ query: good().query, body: '{"msg":"hi"}' }), 400],
    ['an empty body', () => ({ query: good().query, body: '' }), 400],
    [
      'bad base64 (signed)',
      () => {
        const bad = 'not-base64!!';
        return { query: signQuery(BOT_SECRETS, bad, TS), body: JSON.stringify({ encrypt: bad }) };
      },
      400,
    ],
    [
      'a length not a multiple of 32 (signed)',
      () => {
        const bad = Buffer.alloc(40, 3).toString('base64');
        return { query: signQuery(BOT_SECRETS, bad, TS), body: JSON.stringify({ encrypt: bad }) };
      },
      400,
    ],
    [
      'an app payload (receiveid = corp id) sent to the bot',
      () => {
        const enc = encrypt(BOT_SECRETS.aesKey, JSON.stringify(botText('x')), 'wwSomeCorp');
        return { query: signQuery(BOT_SECRETS, enc, TS), body: JSON.stringify({ encrypt: enc }) };
      },
      400,
    ],
    ['a decrypted payload that is not a robot message', () => botCallback({ hello: 'world' }, TS), 400],
    [
      'a decrypted payload that is not JSON',
      () => {
        const enc = encrypt(BOT_SECRETS.aesKey, 'plain words', '');
        return { query: signQuery(BOT_SECRETS, enc, TS), body: JSON.stringify({ encrypt: enc }) };
      },
      400,
    ],
  ];

  it.each(cases.map(([name, build, status]) => [name, status, build] as const))(
    'bot: %s → %i',
    async (_name, status, build) => {
      const res = await post('/wecom/bot', build());
      expect(res.status).toBe(status);
      const body = await res.text();
      // The body names no detail: just the status text.
      expect(body).not.toMatch(/signature|base64|receive|WECOM|encrypt/i);
      expect(await storedRows()).toHaveLength(0);
    },
  );

  it.each([
    [
      'XML with a DTD and an entity',
      `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x "boom">]><xml><Encrypt>&x;</Encrypt></xml>`,
    ],
    ['XML that is not well-formed', '<xml><Encrypt>abc</xml>'],
    ['XML without Encrypt', '<xml><ToUserName>ww</ToUserName></xml>'],
    ['JSON instead of XML', '{"encrypt":"abc"}'],
    // Well-formed, but deeper than the parser goes: it threw a plain Error, answered 500.
    ['XML nested 5,000 deep', `<xml>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}<Encrypt>abc</Encrypt></xml>`],
  ])('app: %s → 400', async (_name, body) => {
    const res = await post('/wecom/app', { query: signQuery(APP_SECRETS, 'abc', TS), body }, 'text/xml');
    expect(res.status).toBe(400);
    expect(await storedRows()).toHaveLength(0);
  });

  // The signature is checked on the Encrypt found by a scan of the raw body, before the XML is
  // parsed: a forged body costs a scan (parsing 1 MiB of small elements took up to a second of
  // CPU). This one the parser would refuse (400); the 401 shows it never got that far.
  it('app: a wrongly signed body whose XML is not well-formed → 401', async () => {
    const body = `<xml><Encrypt>abc</Encrypt>${'<a>'.repeat(5000)}`;
    const query = signQuery({ ...APP_SECRETS, token: 'wrong' }, 'abc', TS);
    expect((await post('/wecom/app', { query, body }, 'text/xml')).status).toBe(401);
    expect(await storedRows()).toHaveLength(0);
  });

  it('bot: a wrongly signed body that is not JSON → 401', async () => {
    const body = `{"encrypt":"abc","x":${'['.repeat(5000)}`;
    const query = signQuery({ ...BOT_SECRETS, token: 'wrong' }, 'abc', TS);
    expect((await post('/wecom/bot', { query, body })).status).toBe(401);
    expect(await storedRows()).toHaveLength(0);
  });

  it('bot: a signed encrypt in a nested object, an unsigned one at the top → 400, nothing stored', async () => {
    const signed = encrypt(BOT_SECRETS.aesKey, JSON.stringify(botText('#报修 灯坏了')), '');
    const unsigned = encrypt(BOT_SECRETS.aesKey, JSON.stringify(botText('#报修 偷偷塞进来的')), '');
    const body = `{"x":{"encrypt":"${signed}"},"encrypt":"${unsigned}"}`;
    const query = signQuery(BOT_SECRETS, signed, TS);
    expect((await post('/wecom/bot', { query, body })).status).toBe(400);
    expect(await storedRows()).toHaveLength(0);
  });

  it('app: a signed Encrypt in a comment, an unsigned one in the element → 400, nothing stored', async () => {
    const inner = (text: string) =>
      `<xml><FromUserName>li.wei</FromUserName><CreateTime>${TS}</CreateTime><MsgType>text</MsgType><Content>${text}</Content><MsgId>91</MsgId></xml>`;
    const signed = encrypt(APP_SECRETS.aesKey, inner('#报修 灯坏了'), APP_SECRETS.receiveId);
    const unsigned = encrypt(APP_SECRETS.aesKey, inner('#报修 偷偷塞进来的'), APP_SECRETS.receiveId);
    const body = `<xml><!-- <Encrypt>${signed}</Encrypt> --><Encrypt>${unsigned}</Encrypt></xml>`;
    const query = signQuery(APP_SECRETS, signed, TS);
    expect((await post('/wecom/app', { query, body }, 'text/xml')).status).toBe(400);
    expect(await storedRows()).toHaveLength(0);
  });

  it('app: a decrypted inner XML with an entity declaration → 400', async () => {
    const inner = `<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><FromUserName>li</FromUserName><MsgType>text</MsgType><Content>&a;</Content><MsgId>1</MsgId></xml>`;
    expect((await post('/wecom/app', appCallback(inner, TS), 'text/xml')).status).toBe(400);
    expect(await storedRows()).toHaveLength(0);
  });

  it('a declared body over 1 MiB → 413 before it is read', async () => {
    const res = await fetch(`${service.url}/wecom/bot?${good().query}`, {
      method: 'POST',
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(await storedRows()).toHaveLength(0);
  });

  it('a streamed (chunked) body over 1 MiB → 413', async () => {
    const chunk = new TextEncoder().encode('y'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 40) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${service.url}/wecom/bot?${good().query}`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    });
    expect(res.status).toBe(413);
    expect(await storedRows()).toHaveLength(0);
  });

  it('a channel whose credentials are not set answers 404', async () => {
    const svc = await startTestService({
      dataSource,
      clock: fixedClock(NOW),
      env: testEnv({
        WECOM_CORP_ID: undefined,
        WECOM_CALLBACK_TOKEN: undefined,
        WECOM_CALLBACK_AES_KEY: undefined,
      }),
    });
    try {
      expect((await fetch(`${svc.url}/wecom/app?${verifyQuery(APP_SECRETS, '1', TS)}`)).status).toBe(404);
      expect((await post('/wecom/bot', good())).status).toBe(200);
    } finally {
      await svc.close();
    }
  });

  it('with the timestamp check off (0), an old but correctly signed callback is accepted', async () => {
    const svc = await startTestService({
      dataSource,
      clock: fixedClock(NOW),
      env: testEnv({ WECOM_TIMESTAMP_TOLERANCE_S: '0' }),
    });
    try {
      const signed = botCallback(botText('#咨询 几点停水'), TS - 86400);
      const res = await fetch(`${svc.url}/wecom/bot?${signed.query}`, { method: 'POST', body: signed.body });
      expect(res.status).toBe(200);
      expect(await storedRows()).toHaveLength(1);
    } finally {
      await svc.close();
    }
  });
});
