import type { EntityManager } from 'typeorm';
import { dispatchCommand } from '../commands/dispatch';
import { DEFAULT_BOT_NAME } from '../config';
import type { InboundMessageRecord } from '../db/entities';
import type { BuildingPlace, Ledger } from '../ledger/ledger';
import type { LedgerCache } from '../ledger/ledger-store';
import { createRequest } from '../requests/create-request';
import { categoryName, formatDay } from '../requests/format';
import { Outgoing } from '../requests/outgoing';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { planDeliveries } from './deliveries';
import { BatchDeskWrites, directDeskWrites, type DeskWrites } from './desk-writes';
import { DeferredLog } from './deferred-log';
import type { AfterCommit, InboundHandler } from './intake';
import { classifyMessage, splitQuotedReply, type ClassifiedMessage } from './parse';

export interface DeskOptions {
  readonly ledgers: LedgerCache;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timeZone: string;
  /** Whether private notices can go out through the self-built app. */
  readonly privateNotices: boolean;
  /** The robot's display name (WECOM_BOT_NAME), for the how-to lines; DEFAULT_BOT_NAME by default. */
  readonly botName?: string;
}

function howToReport(botName: string): string {
  return `想报事请这样发：@${botName} #报修 2单元楼道灯不亮；发「帮助」看全部用法`;
}

/** How many requests these messages will create: posts from a registered building's group. */
function requestsIn(understood: readonly Understood[]): number {
  return understood.filter((u) => u.kind === 'post' && u.place).length;
}

/** What a message asks of the desk, decided before anything is written. */
type Understood =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'unregistered_group' }
  | (ClassifiedMessage & { readonly place: BuildingPlace | undefined });

/**
 * The request desk: reads a stored message, creates a request or runs a command, and queues the
 * replies, all in the transaction that stored the message.
 */
export class DeskHandler implements InboundHandler {
  constructor(private readonly options: DeskOptions) {}

  async handle(message: InboundMessageRecord, tx: EntityManager): Promise<AfterCommit> {
    const ledger = await this.options.ledgers.current(tx);
    const writes = directDeskWrites(tx, this.options.clock);
    const log = new DeferredLog(this.options.logger);
    await this.act(message, this.understand(message, ledger), { tx, ledger, writes, log });
    return () => log.write();
  }

  /**
   * Several stored messages in one transaction, in order, as if handled one after another: the
   * batch's request numbers are reserved at once and its writes are buffered, then flushed before
   * anything reads them (a command) and at the end.
   */
  async handleBatch(messages: readonly InboundMessageRecord[], tx: EntityManager): Promise<AfterCommit> {
    const writes = new BatchDeskWrites(tx, this.options.clock);
    const log = new DeferredLog(this.options.logger);
    // One round trip both reserves the batch's request numbers and reads the newest ledger version.
    // The count comes from the ledger in hand; when a newer ledger was imported since, the batch is
    // read again with it and any shortfall reserved (a surplus is handed back by finish()).
    const guess = this.options.ledgers.latest();
    let understood = messages.map((m) => this.understand(m, guess));
    const ledger = await this.options.ledgers.at(await writes.open(requestsIn(understood)), tx);
    if (ledger !== guess) {
      understood = messages.map((m) => this.understand(m, ledger));
      await writes.reserve(requestsIn(understood) - writes.unusedReservations);
    }
    for (const [i, message] of messages.entries()) {
      const u = understood[i];
      if (u) await this.act(message, u, { tx, ledger, writes, log });
    }
    await writes.finish();
    return () => log.write();
  }

  private understand(message: InboundMessageRecord, ledger: Ledger): Understood {
    if (message.text === null || message.msgType === 'event') return { kind: 'nothing' };
    const place = message.chatId ? ledger.placeOfChat(message.chatId) : undefined;
    // The leadership group is known but is no building's: commands run there as in a private chat.
    const known = place !== undefined || message.chatId === ledger.document.leadership.chat_id;
    if (message.chatType === 'group' && message.chatId && !known) return { kind: 'unregistered_group' };
    return { ...classifyMessage(message.text, ledger.categories), place };
  }

  private async act(
    message: InboundMessageRecord,
    understood: Understood,
    ctx: {
      readonly tx: EntityManager;
      readonly ledger: Ledger;
      readonly writes: DeskWrites;
      readonly log: DeferredLog;
    },
  ): Promise<void> {
    if (understood.kind === 'nothing') return;
    const { tx, ledger, writes } = ctx;
    const { clock, timeZone } = this.options;
    const botName = this.options.botName ?? DEFAULT_BOT_NAME;
    const now = clock.now();
    const place = understood.kind === 'unregistered_group' ? undefined : understood.place;
    const out = new Outgoing();
    const log = ctx.log.about({ msgid: message.msgId, chatid: message.chatId });

    switch (understood.kind) {
      case 'unregistered_group': {
        // Kept, but answered at most once a day: the group may simply not be registered yet.
        const [first] = await tx.query<{ chat_id: string }[]>(
          `INSERT INTO unregistered_chat_notice (chat_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING chat_id`,
          [message.chatId, formatDay(now, timeZone)],
        );
        if (first) out.reply('本群还没有在睦邻登记，暂时不能受理。请联系社区网格员登记本群。');
        log.info({}, 'message from a group that is not in the ledger');
        break;
      }
      case 'command':
        log.info({ command: understood.command.name, no: understood.command.requestNo }, 'command');
        // Commands read requests and events: the batch's earlier writes must be there to read.
        await writes.flush();
        await dispatchCommand({
          tx,
          ledger,
          now,
          timeZone,
          botName,
          senderId: message.senderId,
          place,
          command: understood.command,
          // WeCom sends a quote-reply's quoted text apart; a pasted one is inline, before the command.
          quotedText: message.quotedText ?? splitQuotedReply(message.text ?? '').quoted,
          out,
        });
        break;
      case 'post':
        if (!place) {
          out.reply('请到您所在楼栋的群里@我报事，方便楼长及时看到');
        } else {
          const request = await createRequest({ writes, ledger, place, now, out }, understood.post, {
            inboundId: message.id,
            senderId: message.senderId,
            chatId: message.chatId,
            imageUrls: message.imageUrls,
          });
          log.info(
            { no: request.no, category: request.category, priority: request.priority },
            'request created',
          );
        }
        break;
      case 'missing_description': {
        const name = categoryName(ledger.categories, understood.category);
        out.reply(`请在「#${name}」后面写上具体情况，例如：#${name} 2单元楼道灯不亮`);
        break;
      }
      case 'chatter':
        out.reply(howToReport(botName));
        break;
    }

    const { deliveries, undeliverable } = planDeliveries(
      out.messages,
      { place, replyUrl: message.replyUrl, senderId: message.senderId },
      ledger,
      this.options.privateNotices,
    );
    await writes.enqueue(deliveries);
    if (undeliverable.length > 0) {
      log.warn(
        { count: undeliverable.length, purposes: undeliverable.map((m) => m.purpose) },
        'messages with nowhere to go: set the group webhook_key (or leadership webhook_key) in the ledger, or configure the self-built app',
      );
    }
  }
}
