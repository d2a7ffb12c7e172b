import { WecomSimulator } from '../../../src/wecom/simulator';
import { fixedClock } from '../../../src/shared/clock';

/** The simulator's own contract, over raw HTTP: what the client never sends, it must still answer right. */

let sim: WecomSimulator;

beforeEach(async () => {
  sim = new WecomSimulator({ apps: [{ corpId: 'ww1', corpSecret: 's', agentId: 7 }] });
  sim.registerWebhookKey('k');
  await sim.start();
});

afterEach(() => sim.stop());

async function post(path: string, body: unknown): Promise<{ status: number; errcode?: number }> {
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  const text = await res.text();
  return {
    status: res.status,
    ...(res.headers.get('content-type')?.startsWith('application/json')
      ? { errcode: (JSON.parse(text) as { errcode: number }).errcode }
      : {}),
  };
}

it('refuses a msgtype it does not simulate (40008) and an empty content (40058)', async () => {
  expect(await post('/cgi-bin/webhook/send?key=k', { msgtype: 'news', news: {} })).toEqual({
    status: 200,
    errcode: 40008,
  });
  expect(await post('/cgi-bin/webhook/send?key=k', { msgtype: 'text', text: { content: '' } })).toEqual({
    status: 200,
    errcode: 40058,
  });
  expect(await post('/cgi-bin/webhook/send?key=k', 'not an object')).toEqual({ status: 200, errcode: 40008 });
  expect(sim.messages()).toEqual([]);
});

it('answers 404 off the API and accepts any key in accept-any mode', async () => {
  expect((await post('/cgi-bin/other', {})).status).toBe(404);
  expect(
    await post('/cgi-bin/webhook/send?key=new', { msgtype: 'text', text: { content: '你好' } }),
  ).toMatchObject({ errcode: 93000 });
  sim.acceptAnyWebhookKey();
  expect(
    await post('/cgi-bin/webhook/send?key=new', { msgtype: 'text', text: { content: '你好' } }),
  ).toMatchObject({ errcode: 0 });
});

it('keeps a standing fault until told otherwise, and queued faults before it', async () => {
  const send = () =>
    post('/cgi-bin/webhook/send?key=k', { msgtype: 'markdown', markdown: { content: '**好**' } });
  sim.setMode('invalid_key');
  sim.failNext(1, 'server_error');
  expect(await send()).toEqual({ status: 502 });
  expect(await send()).toEqual({ status: 200, errcode: 93000 });
  expect(await send()).toEqual({ status: 200, errcode: 93000 });
  sim.setMode('normal');
  expect(await send()).toEqual({ status: 200, errcode: 0 });
});

it('checks the token, the agentid and the recipients of message/send', async () => {
  const res = await fetch(`${sim.url}/cgi-bin/gettoken?corpid=ww1&corpsecret=s`);
  const { access_token: token, expires_in: ttl } = (await res.json()) as {
    access_token: string;
    expires_in: number;
  };
  expect(ttl).toBe(7200);
  const send = (query: string, body: Record<string, unknown>) =>
    post(`/cgi-bin/message/send?${query}`, { msgtype: 'text', text: { content: '你好' }, ...body });
  expect(await send('', { touser: 'a', agentid: 7 })).toMatchObject({ errcode: 41001 });
  expect(await send('access_token=forged', { touser: 'a', agentid: 7 })).toMatchObject({ errcode: 40014 });
  expect(await send(`access_token=${token}`, { touser: 'a', agentid: 8 })).toMatchObject({ errcode: 40056 });
  expect(await send(`access_token=${token}`, { touser: '', agentid: 7 })).toMatchObject({ errcode: 81013 });
  expect(await send(`access_token=${token}`, { touser: 'a|b', agentid: 7 })).toMatchObject({ errcode: 0 });
  sim.expireTokens();
  expect(await send(`access_token=${token}`, { touser: 'a', agentid: 7 })).toMatchObject({ errcode: 42001 });
  expect(sim.messages().map((m) => m.destination)).toEqual([
    { type: 'app_message', userIds: ['a', 'b'], agentId: 7 },
  ]);
});

it('waits for messages, and says how many came when they do not', async () => {
  const waiting = sim.waitForMessages(1, 2000);
  await post('/cgi-bin/webhook/send?key=k', { msgtype: 'text', text: { content: '到了' } });
  expect((await waiting).map((m) => m.body.content)).toEqual(['到了']);
  await expect(sim.waitForMessages(3, 50)).rejects.toThrow('expected 3 messages within 50 ms, got 1');
});

it('drops, without an error, app messages past 30 a minute to one member, as WeCom does', async () => {
  const res = await fetch(`${sim.url}/cgi-bin/gettoken?corpid=ww1&corpsecret=s`);
  const { access_token: token } = (await res.json()) as { access_token: string };
  const send = (touser: string) =>
    post(`/cgi-bin/message/send?access_token=${token}`, {
      msgtype: 'text',
      text: { content: '你好' },
      touser,
      agentid: 7,
    });
  for (let i = 0; i < 30; i++) expect(await send('a')).toMatchObject({ errcode: 0 });
  expect(await send('a')).toMatchObject({ errcode: 0 });
  expect(await send('a|b')).toMatchObject({ errcode: 0 });
  const reached = sim
    .messages()
    .map((m) => (m.destination.type === 'app_message' ? m.destination.userIds : []));
  expect(reached).toHaveLength(31);
  expect(reached.at(-1)).toEqual(['b']);
});

it('drops app messages past the hourly cap to one member, and all of theirs for the hour after', async () => {
  // WeCom: 1,000 an hour per member; past a limit, messages are dropped, with no error, for as
  // long as its window (an hour for the hourly one). Three here, so the test sends few.
  const clock = fixedClock(new Date('2026-11-28T02:00:00Z'));
  const capped = new WecomSimulator({
    clock,
    apps: [{ corpId: 'ww1', corpSecret: 's', agentId: 7 }],
    appMessagesPerMemberHour: 3,
  });
  await capped.start();
  try {
    const res = await fetch(`${capped.url}/cgi-bin/gettoken?corpid=ww1&corpsecret=s`);
    const { access_token: token } = (await res.json()) as { access_token: string };
    const send = async (touser: string, content: string) => {
      const answer = await fetch(`${capped.url}/cgi-bin/message/send?access_token=${token}`, {
        method: 'POST',
        body: JSON.stringify({ msgtype: 'text', text: { content }, touser, agentid: 7 }),
      });
      expect(((await answer.json()) as { errcode: number }).errcode).toBe(0);
    };
    const at = (minutes: number) =>
      clock.set(new Date(Date.parse('2026-11-28T02:00:00Z') + minutes * 60_000));
    for (const n of [1, 2, 3]) await send('a', `${n}`);
    at(30);
    await send('a', 'past the cap');
    await send('b', 'another member');
    // The first three have left the hour, but the block the fourth set lasts an hour.
    at(61);
    await send('a', 'blocked');
    at(90);
    await send('a', 'after the block');
    expect(
      capped
        .messages()
        .map((m) => [m.destination.type === 'app_message' && m.destination.userIds, m.body.content]),
    ).toEqual([
      [['a'], '1'],
      [['a'], '2'],
      [['a'], '3'],
      [['b'], 'another member'],
      [['a'], 'after the block'],
    ]);
  } finally {
    await capped.stop();
  }
});
