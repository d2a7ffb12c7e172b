import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { DeskHandler } from '../../src/intake/desk-handler';
import type { InboundHandler } from '../../src/intake';
import { importLedger, LedgerCache } from '../../src/ledger/ledger-store';
import { readLedgerFile } from '../../src/ledger';
import { OutboxWorker } from '../../src/outbox';
import { pageLinksFor } from '../../src/requests/page-links';
import { WecomClient } from '../../src/wecom/client';
import { WecomSimulator } from '../../src/wecom/simulator';
import { fixedClock } from '../../src/shared/clock';
import { silentLogger } from '../../src/shared/logger';
import { openTestDatabase, type TestDatabase } from './database';
import { startTestService, testEnv, type RunningService } from './test-service';
import { encryptMedia, fakeJpeg } from './media';
import { BOT_SECRETS, botCallback, randomMsgId } from './wecom-payloads';

export interface OutboxRecord {
  id: string;
  purpose: string;
  destination: { type: string; webhookKey?: string; url?: string; userIds?: string[] };
  body: { kind: string; content: string; mentions?: string[] };
  request_id: string | null;
}

export interface SayOptions {
  chatid?: string;
  msgid?: string;
  single?: boolean;
  quote?: string;
  asTyped?: boolean;
}

export interface PhotosOptions {
  chatid?: string;
  msgid?: string;
  single?: boolean;
  /** A post the photos come with. */
  text?: string;
}

/**
 * One queued message as tests compare it: where to (a group's push key, else the destination
 * type: `response_url`, `app_message`), its text, whom it @-mentions.
 */
export type Queued = readonly [to: string, text: string, mentions: readonly string[]];

export function queuedView(rows: readonly OutboxRecord[]): Queued[] {
  return rows.map((r) => [
    r.destination.type === 'group_webhook' ? (r.destination.webhookKey ?? '') : r.destination.type,
    r.body.content,
    r.body.mentions ?? [],
  ]);
}

/** The number a receipt (`已登记 #12【报修】…`) gave a post; throws with the text if it is none. */
export function registeredNo(text: string): number {
  const registered = /已登记 #(\d+)/u.exec(text);
  if (!registered) throw new Error(`not registered: ${text}`);
  return Number(registered[1]);
}

export interface Said {
  status: number;
  /** The outbox rows this message produced: what the bot was asked to send. */
  sent: OutboxRecord[];
}

/**
 * The request desk behind the real /wecom/bot endpoint, on the example ledger, with a clock the
 * test moves. Each say() posts one encrypted group message and returns what it queued.
 */
export class DeskHarness {
  readonly clock = fixedClock('2026-11-30T01:00:00Z');
  /** The recording WeCom stand-in the outbox delivers to. */
  readonly wecom = new WecomSimulator({ clock: this.clock, acceptAnyWebhookKey: true });
  private service: RunningService | undefined;
  private lastOutboxId = 0;

  constructor(
    readonly dataSource: DataSource,
    private readonly env: NodeJS.ProcessEnv = testEnv(),
    /** Wraps the desk, e.g. to hold its transactions open so that messages pile up into a batch. */
    private readonly wrap: (desk: InboundHandler) => InboundHandler = (desk) => desk,
  ) {}

  async start(): Promise<void> {
    await this.wecom.start();
    const ledger = readLedgerFile('examples/ledger.yaml');
    if (!ledger.ok) throw new Error(ledger.problems.join('\n'));
    await importLedger(this.dataSource, ledger.ledger, this.clock, 'examples/ledger.yaml');
    const handler = new DeskHandler({
      ledgers: new LedgerCache(),
      clock: this.clock,
      logger: silentLogger,
      timeZone: 'Asia/Shanghai',
      privateNotices: false,
      // As the service is configured: MULIN_PUBLIC_URL in env puts links in the street's notices.
      pageLinks: pageLinksFor(loadConfig(this.env).publicUrl),
    });
    this.service = await startTestService({
      dataSource: this.dataSource,
      clock: this.clock,
      handler: this.wrap(handler),
      env: this.env,
    });
  }

  async stop(): Promise<void> {
    await this.service?.close();
    await this.wecom.stop();
  }

  /**
   * Runs an outbox worker against the simulator until everything queued is delivered, moving the
   * clock a minute whenever a group's 20-a-minute allowance holds the rest back.
   */
  async deliverAll(): Promise<void> {
    const client = new WecomClient({ apiBase: this.wecom.url, clock: this.clock });
    const worker = new OutboxWorker(this.dataSource, client, this.clock, silentLogger);
    for (let round = 0; round < 100; round++) {
      await worker.runOnce();
      const [left] = await this.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`,
      );
      if (left?.n === 0) return;
      this.advance(1);
    }
    throw new Error('the outbox did not drain');
  }

  advance(minutes: number): void {
    this.clock.set(new Date(this.clock.now().getTime() + minutes * 60_000));
  }

  /** Request number `no` as stored, every column. */
  async request(no: number): Promise<Record<string, unknown> | undefined> {
    const [row] = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT * FROM request WHERE no = $1`,
      [no],
    );
    return row;
  }

  /** Request `no`'s event log as `type:actor` (`-` for the system), oldest first. */
  async events(no: number): Promise<string[]> {
    const rows = await this.dataSource.query<{ type: string; actor_id: string | null }[]>(
      `SELECT e.type, e.actor_id FROM request_event e JOIN request r ON r.id = e.request_id WHERE r.no = $1 ORDER BY e.id`,
      [no],
    );
    return rows.map((e) => `${e.type}:${e.actor_id ?? '-'}`);
  }

  /** The service's origin, e.g. http://127.0.0.1:40123. */
  get url(): string {
    if (!this.service) throw new Error('start() first');
    return this.service.url;
  }

  /**
   * `text` @-ing the bot, as typed in a group (or, with `single`, in a private chat). With
   * `asTyped` the text is sent as it is, @s and all (`@王建国 @睦邻助手 …`).
   */
  async say(from: string, text: string, opts: SayOptions = {}): Promise<Said> {
    return this.send({
      ...this.envelope(from, opts),
      msgtype: 'text',
      text: { content: opts.asTyped ? text : `@睦邻助手 ${text}` },
      // A quote-reply: WeCom sends the quoted message's text in its own field.
      ...(opts.quote ? { quote: { msgtype: 'text', text: { content: opts.quote } } } : {}),
    });
  }

  /** say(), answered 200: what it queued, as tests compare it (see queuedView). */
  async said(from: string, text: string, opts: SayOptions = {}): Promise<Queued[]> {
    const s = await this.say(from, text, opts);
    expect(s.status).toBe(200);
    return queuedView(s.sent);
  }

  /** The text of the single message `text` queued. */
  async reply(from: string, text: string, opts: SayOptions = {}): Promise<string> {
    const sent = await this.said(from, text, opts);
    expect(sent).toHaveLength(1);
    return sent[0]?.[1] ?? '';
  }

  /** Posts `text` and returns the number its receipt (the first message it queued) gave it. */
  async report(from: string, text: string, opts: SayOptions = {}): Promise<number> {
    const [receipt] = await this.said(from, text, opts);
    return registeredNo(receipt?.[1] ?? 'nothing sent');
  }

  /** A photo as WeCom serves it: encrypted with the robot's key, on the simulator; its link. */
  hostPhoto(bytes: Buffer = fakeJpeg()): string {
    return this.wecom.hostMedia(encryptMedia(BOT_SECRETS.aesKey, bytes));
  }

  /**
   * Photos as a resident sends them after a post: in a private chat an image message (one per
   * photo); in a group, where WeCom forwards only messages that @ the bot, the @ and the photos
   * in one mixed message with no words of its own.
   */
  async sendPhotos(from: string, urls: readonly string[], opts: PhotosOptions = {}): Promise<Said> {
    return this.send(this.photosMessage(from, urls, opts));
  }

  /**
   * The message sendPhotos() sends, to send yourself (e.g. twice, as a repeated delivery). With
   * `text` the photos come with a post, `@睦邻助手 <text>` then the images in one mixed message.
   */
  photosMessage(from: string, urls: readonly string[], opts: PhotosOptions = {}): object {
    const words = opts.single ? opts.text : `@睦邻助手 ${opts.text ?? ''}`;
    const [only] = urls;
    const content =
      words === undefined && only !== undefined && urls.length === 1
        ? { msgtype: 'image', image: { url: only } }
        : {
            msgtype: 'mixed',
            mixed: {
              msg_item: [
                ...(words === undefined ? [] : [{ msgtype: 'text', text: { content: words } }]),
                ...urls.map((url) => ({ msgtype: 'image', image: { url } })),
              ],
            },
          };
    return { ...this.envelope(from, opts), ...content };
  }

  /**
   * What every robot message from `from` carries besides its content: in 7号楼's group unless
   * `chatid` names another, or in a private chat with `single`.
   */
  envelope(from: string, opts: { chatid?: string; msgid?: string; single?: boolean } = {}): object {
    return {
      msgid: opts.msgid ?? randomMsgId(),
      aibotid: 'aibTest',
      ...(opts.single ? {} : { chatid: opts.chatid ?? 'wrkB7FAKEjiangwan07' }),
      chattype: opts.single ? 'single' : 'group',
      from: { userid: from },
      response_url: this.wecom.issueResponseUrl(),
    };
  }

  /** Posts one robot message (its decrypted JSON), encrypted and signed as WeCom would. */
  async send(message: object): Promise<Said> {
    if (!this.service) throw new Error('start() first');
    const signed = botCallback(message, Math.floor(this.clock.now().getTime() / 1000));
    const url = `${this.service.url}/wecom/bot?${signed.query}`;
    const post = () => fetch(url, { method: 'POST', body: signed.body });
    // A kept-alive connection the server closes for idleness (5 s, which a slow test step can
    // pass) just as fetch reuses it fails with ECONNRESET before any answer. WeCom would deliver
    // the same callback again; so does this, and the service stores it once.
    const res = await post().catch((error: unknown) => {
      if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
      return post();
    });
    const sent = await this.dataSource.query<OutboxRecord[]>(
      `SELECT id, purpose, destination, body, request_id FROM outbox WHERE id > $1 ORDER BY id`,
      [this.lastOutboxId],
    );
    const last = sent[sent.length - 1];
    if (last) this.lastOutboxId = Number(last.id);
    return { status: res.status, sent };
  }
}

/**
 * A test file's database and desk, opened in its beforeAll: `({ db, desk } = await openDesk())`.
 * `env` configures the service (e.g. the street office's pages); `wrap` as DeskHarness's.
 */
export async function openDesk(
  options: { env?: NodeJS.ProcessEnv; wrap?: (desk: InboundHandler) => InboundHandler } = {},
): Promise<{ db: TestDatabase; desk: DeskHarness }> {
  const db = await openTestDatabase();
  const desk = new DeskHarness(db.dataSource, options.env, options.wrap);
  await desk.start();
  return { db, desk };
}

/** Closes what openDesk opened, in its afterAll. */
export async function closeDesk(desk: DeskHarness, db: TestDatabase): Promise<void> {
  await desk.stop();
  await db.close();
}
