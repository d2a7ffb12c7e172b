import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { adminRoutes } from '../../../src/http/admin/admin-routes';
import { apiRoutes } from '../../../src/http/api-routes';
import { createHttpApp } from '../../../src/http/app';
import { TrustedProxies } from '../../../src/http/client-address';
import { open311Routes } from '../../../src/http/open311/open311-routes';
import { readLedgerFile } from '../../../src/ledger';
import { importLedger, LedgerCache } from '../../../src/ledger/ledger-store';
import { createRequest } from '../../../src/requests/create-request';
import { directRequestWrites } from '../../../src/requests/request-writes';
import { Outgoing } from '../../../src/requests/outgoing';
import {
  addEvent,
  updateRequest,
  type RequestPatch,
  type RequestRow,
} from '../../../src/requests/request-store';
import { fixedClock, type Clock } from '../../../src/shared/clock';
import { silentLogger } from '../../../src/shared/logger';

export const ADMIN_TOKEN = 'street-office-token-0123456789';
/** Wednesday 25 November 2026, 14:00 in Shanghai: the last full week is 16–22 November (W47). */
export const NOW = new Date('2026-11-25T06:00:00Z');
export const TIME_ZONE = 'Asia/Shanghai';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

export interface Seeded {
  /** A post with markup in it. */
  readonly script: number;
  /** A post with a phone number, escalated, a council topic, with a photo. */
  readonly phone: number;
  /** Three repairs in 7号楼 within 30 days. */
  readonly hotspot: readonly number[];
  readonly total: number;
}

export const SCRIPT_TEXT = '<script>document.title="pwned"</script><b>建议</b>加装路灯 & 监控';
export const PHONE = '13912345678';
/** A kept photo's bytes: a PNG signature is all the keeper and the page look at. */
export const PHOTO_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

interface SeedPhoto {
  readonly url: string;
  readonly status: 'pending' | 'kept' | 'failed';
}

let seq = 0;

async function post(
  db: DataSource,
  chatId: string,
  category: string,
  description: string,
  at: Date,
  photos: readonly SeedPhoto[] = [],
): Promise<RequestRow> {
  seq += 1;
  const imageUrls = photos.map((p) => p.url);
  const [inbound] = await db.query<{ id: string }[]>(
    `INSERT INTO inbound_message (channel, dedupe_key, msg_type, chat_id, chat_type, sender_id, text, image_urls, raw)
     VALUES ('bot', $1, 'text', $2, 'group', $3, $4, $5::jsonb, '{}') RETURNING id`,
    [`admin-seed-${seq}`, chatId, `res.${seq}`, description, JSON.stringify(imageUrls)],
  );
  for (const [i, p] of photos.entries()) {
    const kept = p.status === 'kept';
    await db.query(
      `INSERT INTO inbound_photo (inbound_id, position, url, status, next_attempt_at, content_type, bytes, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        inbound?.id,
        i + 1,
        p.url,
        p.status,
        at,
        kept ? 'image/png' : null,
        kept ? PHOTO_BYTES : null,
        p.status === 'failed' ? 'link expired before the photo could be fetched' : null,
      ],
    );
  }
  return db.transaction(async (tx) => {
    const ledger = await new LedgerCache().current(tx);
    const place = ledger.placeOfChat(chatId);
    if (!place || !inbound) throw new Error(`seed: no building for ${chatId}`);
    const filed = await createRequest(
      { writes: directRequestWrites(tx), ledger, place, now: at, out: new Outgoing() },
      { kind: 'request', category, description },
      { inboundId: inbound.id, senderId: `res.${seq}`, chatId, imageUrls },
    );
    return filed.request;
  });
}

/** A resident's post in a building's group (by its chat id), filed as the desk files one. */
export async function seedPost(
  db: DataSource,
  chatId: string,
  category: string,
  description: string,
  at: Date,
): Promise<RequestRow> {
  return post(db, chatId, category, description, at);
}

async function change(
  db: DataSource,
  request: RequestRow,
  patch: Omit<RequestPatch, 'updatedAt'>,
  event: { type: string; actorId: string | null; at: Date; note?: string; data?: Record<string, unknown> },
): Promise<void> {
  await db.transaction(async (tx) => {
    await updateRequest(tx, request.id, { ...patch, updatedAt: event.at });
    await addEvent(tx, request.id, event);
  });
}

/** A request taken on, done and rated as a building head and a resident would, at given delays. */
async function handle(
  db: DataSource,
  r: RequestRow,
  steps: { ackAfter?: number; resolveAfter?: number; rating?: 'good' | 'bad' },
): Promise<void> {
  const at = (ms: number) => new Date(r.createdAt.getTime() + ms);
  const head = r.assigneeId ?? 'liu.t';
  if (steps.ackAfter !== undefined) {
    await change(
      db,
      r,
      { status: 'acknowledged', acknowledgedAt: at(steps.ackAfter) },
      { type: 'acknowledged', actorId: head, at: at(steps.ackAfter) },
    );
  }
  if (steps.resolveAfter !== undefined) {
    const t = at(steps.resolveAfter);
    await change(
      db,
      r,
      { status: 'resolved', resolvedAt: t },
      { type: 'resolved', actorId: head, at: t, note: '已处理' },
    );
    if (steps.rating) {
      const rt = new Date(t.getTime() + 2 * HOUR);
      if (steps.rating === 'good') {
        await change(
          db,
          r,
          { status: 'closed', rating: 'good', closedAt: rt },
          { type: 'rated', actorId: r.reporterId, at: rt, data: { rating: 'good' } },
        );
      } else {
        await change(
          db,
          r,
          { status: 'acknowledged', rating: 'bad', resolvedAt: null, reopenCount: 1 },
          { type: 'rated', actorId: r.reporterId, at: rt, note: '还是不行', data: { rating: 'bad' } },
        );
      }
    }
  }
}

// Buildings the weekly filler uses; 7号楼, 纪念路 2号楼 and 场中路 12号楼 are kept for the cases below.
const FILLER_CHATS = [
  'wrkB7FAKEjiangwan05',
  'wrkB7FAKEjinianlu01',
  'wrkB7FAKEchangzhong13',
  'wrkB7FAKEjiangwan06',
  'wrkB7FAKEjinianlu03',
  'wrkB7FAKEchangzhong15',
];
const FILLER = [
  ['repair', '楼道声控灯坏了'],
  ['help', '独居老人需要帮忙买菜'],
  ['complaint', '楼下晚上噪音太大'],
  ['suggestion', '建议楼道里装个扶手'],
  ['parking', '小区门口乱停车'],
] as const;

/** The example street with twelve weeks of history, and the cases the pages must get right. */
export async function seedStreet(db: DataSource): Promise<Seeded> {
  const read = readLedgerFile(path.join(__dirname, '..', '..', '..', 'examples', 'ledger.yaml'));
  if (!read.ok) throw new Error(read.problems.join('\n'));
  await importLedger(db, read.ledger, fixedClock(ago(120 * DAY)), 'examples/ledger.yaml');

  // Twelve full weeks back from W47 (Monday 16 November, 00:00 in Shanghai), 2–4 requests each.
  const lastMonday = new Date('2026-11-15T16:00:00Z');
  let k = 0;
  // Oldest week first, so request numbers follow time as they do in a real street.
  for (let week = 11; week >= 0; week--) {
    const monday = lastMonday.getTime() - week * 7 * DAY;
    for (let j = 0; j < 2 + (week % 3); j++, k++) {
      const [category, text] = FILLER[k % FILLER.length] ?? FILLER[0];
      const chat = FILLER_CHATS[k % FILLER_CHATS.length] ?? 'wrkB7FAKEjiangwan05';
      const r = await post(
        db,
        chat,
        category,
        `${text}（${k + 1}）`,
        new Date(monday + (j + 1) * DAY + 10 * HOUR),
      );
      const outcome = (k + week) % 4;
      if (outcome === 0) await handle(db, r, { ackAfter: 2 * HOUR, resolveAfter: DAY, rating: 'good' });
      else if (outcome === 1)
        await handle(db, r, { ackAfter: 30 * HOUR, resolveAfter: 9 * DAY, rating: 'bad' });
      else if (outcome === 2) await handle(db, r, { ackAfter: HOUR, resolveAfter: 2 * DAY, rating: 'good' });
      else await handle(db, r, { ackAfter: 5 * HOUR, resolveAfter: 3 * DAY });
    }
  }

  // 未诉先办: three repairs in 7号楼 within 30 days.
  const hotspot: number[] = [];
  for (const [days, text] of [
    [20, '2单元楼道灯不亮'],
    [9, '2单元楼道灯又坏了'],
    [1, '1单元门口路灯不亮'],
  ] as const) {
    const r = await post(db, 'wrkB7FAKEjiangwan07', 'repair', text, ago(days * DAY));
    if (days === 20) await handle(db, r, { ackAfter: HOUR, resolveAfter: DAY, rating: 'good' });
    hotspot.push(r.no);
  }
  // Two repairs in 纪念路 2号楼: not (yet) a hotspot.
  await post(db, 'wrkB7FAKEjinianlu02', 'repair', '3单元水龙头漏水', ago(15 * DAY));
  await post(db, 'wrkB7FAKEjinianlu02', 'repair', '4单元下水道堵了', ago(3 * DAY));
  await post(db, 'wrkB7FAKEjinianlu02', 'council', '楼道堆物要不要统一清理，大家商量一下', ago(2 * DAY));

  const script = await post(db, 'wrkB7FAKEchangzhong12', 'suggestion', SCRIPT_TEXT, ago(5 * HOUR));
  const phone = await post(
    db,
    'wrkB7FAKEchangzhong12',
    'repair',
    `1单元厨房水管漏水，电话${PHONE}`,
    ago(2 * DAY),
    [
      { url: 'https://127.0.0.1:9/wecom/photo-1.jpg', status: 'kept' },
      { url: 'https://127.0.0.1:9/wecom/photo-2.jpg', status: 'failed' },
      { url: 'https://127.0.0.1:9/wecom/photo-3.jpg', status: 'pending' },
    ],
  );
  await handle(db, phone, { ackAfter: HOUR });
  await change(
    db,
    phone,
    { escalationLevel: 1, assigneeId: 'xu.f', council: true },
    {
      type: 'escalated',
      actorId: 'shi.gl',
      at: ago(DAY),
      note: `需要换水管，业主电话${PHONE}`,
      data: { level: 1 },
    },
  );
  const [count] = await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM request`);
  return { script: script.no, phone: phone.no, hotspot, total: count?.n ?? 0 };
}

export interface AdminServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The service's /admin and /api routers, mounted as service.ts is asked to, on a loopback port. */
export async function startAdminServer(
  dataSource: DataSource,
  options: {
    adminToken?: string;
    clock?: Clock;
    trustedProxies?: readonly string[];
    privateNotices?: boolean;
    onQueued?: () => void;
  } = {},
): Promise<AdminServer> {
  const ledgers = new LedgerCache();
  const clock = options.clock ?? fixedClock(NOW);
  const common = {
    dataSource,
    adminToken: options.adminToken,
    ledgers,
    clock,
    timeZone: TIME_ZONE,
    trustedProxies: new TrustedProxies(options.trustedProxies ?? []),
  };
  const office = {
    ...common,
    privateNotices: options.privateNotices ?? false,
    ...(options.onQueued ? { onQueued: options.onQueued } : {}),
  };
  const app = createHttpApp(silentLogger, [open311Routes(common), apiRoutes(common), adminRoutes(office)]);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
