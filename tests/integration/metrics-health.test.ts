import { fixedClock } from '../../src/shared/clock';
import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, type DeskHarness } from '../helpers/desk-harness';
import { BOT_SECRETS, botCallback, botText } from '../helpers/wecom-payloads';
import { startTestService } from '../helpers/test-service';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

function metricValue(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : undefined;
}

it('counts callbacks by outcome and reports the shared outbox queue', async () => {
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮', { msgid: 'm-1' });
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮', { msgid: 'm-1' });
  await db.dataSource.query(
    `INSERT INTO outbox (purpose, destination, body, status, sent_at)
     VALUES ('reply', '{"type": "group_webhook", "webhookKey": "k"}', '{}', 'sent', now())`,
  );
  // A second process on the same database sees the same queue, but its own callback counts.
  const other = await startTestService({
    dataSource: db.dataSource,
    clock: fixedClock('2026-11-30T01:00:00Z'),
  });
  try {
    const bad = botCallback(botText('x'), 1_800_000_000, { ...BOT_SECRETS, token: 'wrong' });
    expect(
      (await fetch(`${other.url}/wecom/bot?${bad.query}`, { method: 'POST', body: bad.body })).status,
    ).toBe(401);
    const res = await fetch(`${other.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(metricValue(text, 'mulin_callbacks_total', 'channel="bot",outcome="bad_signature"')).toBe(1);
    expect(metricValue(text, 'mulin_callbacks_total', 'channel="bot",outcome="stored"')).toBeUndefined();
    // No message stored by this process yet: no intake transaction either.
    expect(text).toContain('mulin_intake_batch_messages_count 0');
    expect(metricValue(text, 'mulin_outbox_messages', 'purpose="receipt",status="pending"')).toBe(1);
    // Sent rows are history, not work in hand: not counted (sends are in mulin_outbox_send_seconds).
    expect(metricValue(text, 'mulin_outbox_messages', 'purpose="reply",status="sent"')).toBeUndefined();
    expect(text).toContain('mulin_outbox_oldest_due_age_seconds 0');
    expect(text).toContain('mulin_photos_oldest_pending_age_seconds 0');

    const health = (await (await fetch(`${other.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      database: 'ok',
      outbox: { pending: 1, failed: 0, dead: 0 },
    });
    // One good callback: one intake transaction, of one message.
    const good = botCallback(botText('大家好'), Math.floor(Date.parse('2026-11-30T01:00:00Z') / 1000));
    expect(
      (await fetch(`${other.url}/wecom/bot?${good.query}`, { method: 'POST', body: good.body })).status,
    ).toBe(200);
    const after = await (await fetch(`${other.url}/metrics`)).text();
    expect(after).toContain('mulin_intake_batch_messages_count 1');
    expect(after).toContain('mulin_intake_batch_messages_sum 1');
    expect(metricValue(after, 'mulin_intake_batch_messages_bucket', 'le="1"')).toBe(1);
  } finally {
    await other.close();
  }
});

it('reports the photos being kept, and how long the oldest still being fetched has waited', async () => {
  const clock = fixedClock('2026-11-30T01:02:00Z');
  const [message] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO inbound_message (channel, dedupe_key, msg_id, msg_type, chat_type, sender_id, received_at, raw)
     VALUES ('bot', 'photo-metrics', 'photo-metrics', 'mixed', 'group', 'zhang.min', '2026-11-30T01:00:00Z', '{}')
     RETURNING id`,
  );
  await db.dataSource.query(
    `INSERT INTO inbound_photo (inbound_id, position, url, next_attempt_at, status) VALUES
       ($1, 1, 'https://example.invalid/1', '2026-11-30T01:00:00Z', 'pending'),
       ($1, 2, 'https://example.invalid/2', '2026-11-30T01:00:00Z', 'failed'),
       ($1, 3, 'https://example.invalid/3', '2026-11-30T01:00:00Z', 'kept')`,
    [message?.id],
  );
  const service = await startTestService({ dataSource: db.dataSource, clock });
  try {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(metricValue(text, 'mulin_photos', 'status="pending"')).toBe(1);
    expect(metricValue(text, 'mulin_photos', 'status="failed"')).toBe(1);
    expect(metricValue(text, 'mulin_photos', 'status="kept"')).toBeUndefined();
    expect(text).toContain('mulin_photos_oldest_pending_age_seconds 120');
  } finally {
    await service.close();
  }
});
