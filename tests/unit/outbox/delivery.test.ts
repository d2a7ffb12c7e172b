import { deliverNextPart, partsOf, type OutboxSender } from '../../../src/outbox/delivery';
import type { OutboxRow } from '../../../src/outbox/outbox-types';
import { decide } from '../../../src/outbox/settle';
import { MESSAGE_LIMITS, utf8Length, type OutgoingBody, type SendOutcome } from '../../../src/wecom/client';

const long = (lines: number) =>
  Array.from({ length: lines }, (_, i) => `${i}号：楼道灯不亮，请物业处理。`).join('\n');

function row(overrides: Partial<OutboxRow>): OutboxRow {
  return {
    id: '1',
    purpose: 'reply',
    destination: { type: 'group_webhook', webhookKey: 'k1' },
    rate_key: 'k1',
    body: { kind: 'text', content: '收到' },
    attempts: 1,
    parts_sent: 0,
    created_at: new Date('2026-11-28T02:00:00Z'),
    ...overrides,
  };
}

/** A sender that records what it was asked to send and answers from a script. */
function recordingSender(answers: ('ok' | 'retry' | 'permanent')[] = []) {
  const sent: { via: string; body: OutgoingBody }[] = [];
  const answer = (via: string, body: OutgoingBody): Promise<SendOutcome> => {
    sent.push({ via, body });
    const a = answers.shift() ?? 'ok';
    return Promise.resolve(
      a === 'ok'
        ? { ok: true }
        : { ok: false, retry: a === 'retry', errcode: a === 'retry' ? 45009 : 93000, reason: a },
    );
  };
  const sender: OutboxSender = {
    sendToWebhook: (_key, body) => answer('webhook', body),
    replyViaResponseUrl: (_url, body) => answer('response_url', body),
    sendAppMessage: (_ids, body) => answer('app', body),
  };
  return { sender, sent };
}

describe('partsOf', () => {
  it('splits at each surface limit: webhook text 2048, webhook markdown 4096, app markdown 2048', () => {
    const content = long(400);
    const cases = [
      [{ type: 'group_webhook', webhookKey: 'k' }, 'text', MESSAGE_LIMITS.text],
      [{ type: 'group_webhook', webhookKey: 'k' }, 'markdown', MESSAGE_LIMITS.webhookMarkdown],
      [{ type: 'app_message', userIds: ['li.wei'] }, 'markdown', MESSAGE_LIMITS.appMarkdown],
      [{ type: 'app_message', userIds: ['li.wei'] }, 'text', MESSAGE_LIMITS.text],
    ] as const;
    for (const [destination, kind, limit] of cases) {
      const parts = partsOf(destination, { kind, content });
      expect(parts.length).toBeGreaterThan(1);
      // Packed up to this surface's limit, not a smaller one: every part but the last is nearly full.
      for (const p of parts.slice(0, -1)) expect(utf8Length(p.content)).toBeGreaterThan(limit - 100);
      for (const p of parts) expect(utf8Length(p.content)).toBeLessThanOrEqual(limit);
    }
  });

  it('gives mentions to the first part only', () => {
    const parts = partsOf(
      { type: 'group_webhook', webhookKey: 'k' },
      { kind: 'text', content: long(200), mentions: ['li.wei'] },
    );
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => (p.kind === 'text' ? p.mentions : undefined))).toEqual([
      ['li.wei'],
      ...parts.slice(1).map(() => undefined),
    ]);
  });

  it('sends a response_url one markdown part, mentions written in, cut at 20480 bytes', () => {
    const [only, ...rest] = partsOf(
      { type: 'response_url', url: 'https://example.test/r' },
      { kind: 'text', content: long(2000), mentions: ['li.wei'] },
    );
    expect(rest).toEqual([]);
    expect(only?.kind).toBe('markdown');
    expect(utf8Length(only?.content ?? '')).toBeLessThanOrEqual(MESSAGE_LIMITS.responseUrlMarkdown);
    const short = partsOf(
      { type: 'response_url', url: 'https://example.test/r' },
      { kind: 'text', content: '收到', mentions: ['li.wei'] },
    );
    expect(short).toEqual([{ kind: 'markdown', content: '收到\n<@li.wei>' }]);
  });
});

describe('deliverNextPart', () => {
  it('sends the part after the ones already delivered and says when the message is done', async () => {
    const body: OutgoingBody = { kind: 'markdown', content: long(400) };
    const total = partsOf({ type: 'group_webhook', webhookKey: 'k' }, body).length;
    const { sender, sent } = recordingSender();
    expect(await deliverNextPart(sender, row({ body, parts_sent: 1 }))).toEqual({
      kind: 'delivered',
      partsSent: 2,
      done: total === 2,
    });
    expect(sent[0]?.body.content).toMatch(new RegExp(`^\\(2/${total}\\)\\n`));
    expect(await deliverNextPart(sender, row({ body, parts_sent: total - 1 }))).toMatchObject({ done: true });
  });

  it('turns a throwing sender into a retryable failure', async () => {
    const sender: OutboxSender = {
      sendToWebhook: () => Promise.reject(new Error('boom')),
      replyViaResponseUrl: () => Promise.reject(new Error('boom')),
      sendAppMessage: () => Promise.reject(new Error('boom')),
    };
    expect(await deliverNextPart(sender, row({}))).toMatchObject({
      kind: 'failed',
      failure: { retry: true },
    });
  });
});

describe('decide', () => {
  const now = new Date('2026-11-28T02:00:00Z');
  const policy = { maxAttempts: 3, baseMs: 1000, maxMs: 60_000, random: () => 0 };
  const failed = (retry: boolean) =>
    ({ kind: 'failed', failure: { ok: false, retry, errcode: retry ? -1 : 93000, reason: 'r' } }) as const;

  it('retries a retryable failure later, and gives up at maxAttempts', () => {
    expect(decide(row({ attempts: 2 }), failed(true), now, policy)).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 1000),
      error: 'r (attempt 2)',
    });
    expect(decide(row({ attempts: 3 }), failed(true), now, policy)).toMatchObject({ kind: 'dead' });
  });

  it('fails a permanent failure at once', () => {
    expect(decide(row({ attempts: 1 }), failed(false), now, policy)).toMatchObject({ kind: 'failed' });
  });

  it('hands an unusable response_url to its fallback webhook, or fails without one', () => {
    const withFallback = row({
      destination: { type: 'response_url', url: 'https://x.test/r', fallbackWebhookKey: 'k9' },
      rate_key: null,
    });
    expect(decide(withFallback, failed(false), now, policy)).toMatchObject({
      kind: 'fallback',
      destination: { type: 'group_webhook', webhookKey: 'k9' },
    });
    expect(decide({ ...withFallback, attempts: 3 }, failed(true), now, policy)).toMatchObject({
      kind: 'fallback',
    });
    const without = row({ destination: { type: 'response_url', url: 'https://x.test/r' }, rate_key: null });
    expect(decide(without, failed(false), now, policy)).toMatchObject({ kind: 'failed' });
  });
});
