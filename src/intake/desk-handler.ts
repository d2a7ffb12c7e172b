import type { EntityManager } from 'typeorm';
import { namesSomeone } from '../commands/assign';
import { dispatchCommand } from '../commands/dispatch';
import { DEFAULT_BOT_NAME } from '../config';
import { InboundMessageRecord } from '../db/entities';
import type { BuildingPlace, Ledger } from '../ledger/ledger';
import type { LedgerCache } from '../ledger/ledger-store';
import { createRequest } from '../requests/create-request';
import { CarriedPhotos, PHOTOS_NOT_ATTACHED, PHOTOS_NOT_TAKEN } from '../requests/carried-photos';
import { holdForNextPost, holdPhotos } from '../requests/held-photos';
import { attachLaterPhotos, noRecentPost } from '../requests/later-photos';
import { categoryName, formatDay } from '../requests/format';
import { Outgoing } from '../requests/outgoing';
import type { PageLinks } from '../requests/page-links';
import { safetyLine } from '../requests/safety-line';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { planDeliveries } from './deliveries';
import { BatchDeskWrites, directDeskWrites, type DeskWrites } from './desk-writes';
import { DeferredLog } from './deferred-log';
import { chatterReply, EXAMPLE, oneAtATime, postOutsideBuildingGroup } from './desk-replies';
import type { AfterCommit, InboundHandler } from './intake';
import {
  captionOf,
  classifyMessage,
  detectUrgency,
  onlyPointsAtPhotos,
  splitQuotedReply,
  type ClassifiedMessage,
  type Hazard,
} from './parse';

export interface DeskOptions {
  readonly ledgers: LedgerCache;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timeZone: string;
  /** Whether private notices can go out through the self-built app. */
  readonly privateNotices: boolean;
  /** The robot's display name (WECOM_BOT_NAME), for the how-to lines; DEFAULT_BOT_NAME by default. */
  readonly botName?: string;
  /** Links to a request's page in the street's notices (MULIN_PUBLIC_URL); none by default. */
  readonly pageLinks?: PageLinks | undefined;
}

/** Whether a message files a request: a post from a registered building's group. */
function files(understood: Understood | undefined): boolean {
  return understood?.kind === 'post' && understood.place !== undefined;
}

/** Whether a message brings photos for an earlier post (later-photos.ts): it looks up its sender's. */
function bringsPhotos(understood: Understood | undefined): boolean {
  return understood?.kind === 'photos' || understood?.kind === 'photos_with_words';
}

/**
 * Whether a message may attach photos to its sender's post or hold them for the next
 * (held-photos.ts): it waits for the posts being filed first, as a post does by taking its number.
 */
function waitsForFilings(message: InboundMessageRecord, understood: Understood | undefined): boolean {
  if (bringsPhotos(understood)) return true;
  if (!photosOf(message)) return false;
  return (
    understood?.kind === 'missing_description' ||
    (understood?.kind === 'command' && understood.command.name === 'supplement')
  );
}

/** The photos a message brings, when they are kept: only the robot's are. */
function photosOf(message: InboundMessageRecord): CarriedPhotos | undefined {
  if (message.channel !== 'bot' || message.imageUrls.length === 0) return undefined;
  return new CarriedPhotos(message.id, message.imageUrls.length);
}

/**
 * Photos with no words of their own: an image message, or in a group (where only messages that
 * @ the bot arrive) the @ and photos in one mixed message; words that only point at the picture
 * (`照片`, `如图`: parse/photo-words.ts) count as none.
 */
function photosOnly(message: InboundMessageRecord): boolean {
  return photosOf(message) !== undefined && onlyPointsAtPhotos(message.text ?? '');
}

/** How many requests these messages will create (at most: a repeat files none). */
function requestsIn(understood: readonly Understood[]): number {
  return understood.filter(files).length;
}

/**
 * The message with its sender as the ledger spells them. The stored row keeps WeCom's spelling;
 * everything the desk writes (reporters, handlers, events, mentions) uses the ledger's.
 */
function spelledAsLedger(message: InboundMessageRecord, ledger: Ledger): InboundMessageRecord {
  const senderId = ledger.userid(message.senderId);
  return senderId === message.senderId
    ? message
    : Object.assign(new InboundMessageRecord(), message, { senderId });
}

/** What a message asks of the desk, decided before anything is written. */
type Understood =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'unregistered_group'; readonly hazard: Hazard | null }
  | { readonly kind: 'photos'; readonly place: BuildingPlace | undefined }
  /**
   * Photos with a few words that are neither a post nor a command (`看看这里扶手都快掉了`): for the
   * sender's post just before, as photos alone are, the words kept as its supplement; chatter
   * when there is none.
   */
  | { readonly kind: 'photos_with_words'; readonly place: BuildingPlace | undefined; readonly words: string }
  /**
   * Photos without words in the leadership group, where no request is ever filed, so none can be
   * one just posted: answered as photos nothing took (PHOTOS_NOT_ATTACHED), not with how to post.
   */
  | { readonly kind: 'photos_for_nothing' }
  | (ClassifiedMessage & { readonly place: BuildingPlace | undefined });

/**
 * The request desk: reads a stored message, creates a request or runs a command, and queues the
 * replies, all in the transaction that stored the message.
 */
export class DeskHandler implements InboundHandler {
  constructor(private readonly options: DeskOptions) {}

  async handle(stored: InboundMessageRecord, tx: EntityManager): Promise<AfterCommit> {
    const ledger = await this.options.ledgers.current(tx);
    const message = spelledAsLedger(stored, ledger);
    const writes = directDeskWrites(tx, this.options.clock);
    const log = new DeferredLog(this.options.logger);
    const understood = this.understand(message, ledger);
    // As a batch does (below), before anything is locked.
    if (waitsForFilings(message, understood)) await writes.settleFilings();
    await this.act(message, understood, { tx, ledger, writes, log });
    return () => log.write();
  }

  /**
   * Several stored messages in one transaction, in order, as if handled one after another: the
   * batch's request numbers are reserved at once and its writes are buffered, then flushed before
   * anything reads them (a command) and at the end.
   */
  async handleBatch(stored: readonly InboundMessageRecord[], tx: EntityManager): Promise<AfterCommit> {
    const writes = new BatchDeskWrites(tx, this.options.clock);
    const log = new DeferredLog(this.options.logger);
    // One round trip both reserves the batch's request numbers and reads the newest ledger version.
    // The count comes from the ledger in hand; when a newer ledger was imported since, the batch is
    // read again with it and any shortfall reserved (a surplus is handed back by finish()).
    const guess = this.options.ledgers.latest();
    let messages = stored.map((m) => spelledAsLedger(m, guess));
    let understood = messages.map((m) => this.understand(m, guess));
    const ledger = await this.options.ledgers.at(await writes.open(requestsIn(understood)), tx);
    if (ledger !== guess) {
      messages = stored.map((m) => spelledAsLedger(m, ledger));
      understood = messages.map((m) => this.understand(m, ledger));
      await writes.reserve(requestsIn(understood) - writes.unusedReservations);
    }
    writes.expectPostsFrom(
      messages.filter((_, i) => files(understood[i]) || bringsPhotos(understood[i])).map((m) => m.senderId),
    );
    // Photos wait for the filings in flight (later-photos.ts, held-photos.ts) before anything else
    // is locked: every transaction then takes the request counter before any request's row, so
    // none can deadlock holding a request a command changed while waiting for the counter.
    if (messages.some((m, i) => waitsForFilings(m, understood[i]))) await writes.settleFilings();
    for (const [i, message] of messages.entries()) {
      const u = understood[i];
      if (u) await this.act(message, u, { tx, ledger, writes, log });
    }
    await writes.finish();
    return () => log.write();
  }

  private understand(message: InboundMessageRecord, ledger: Ledger): Understood {
    const photos = photosOnly(message);
    // A message with no text is read only for its photos.
    if ((message.text === null && !photos) || message.msgType === 'event') return { kind: 'nothing' };
    const place = message.chatId ? ledger.placeOfChat(message.chatId) : undefined;
    // The leadership group is known but is no building's: commands run there as in a private chat.
    const leadership = message.chatId !== null && message.chatId === ledger.document.leadership.chat_id;
    if (message.chatType === 'group' && message.chatId && place === undefined && !leadership) {
      const urgency = message.text === null ? undefined : detectUrgency(message.text);
      return { kind: 'unregistered_group', hazard: urgency?.urgent ? urgency.hazard : null };
    }
    // Photos without words of their own are for the sender's post just before (later-photos.ts).
    if (photos || message.text === null)
      return leadership ? { kind: 'photos_for_nothing' } : { kind: 'photos', place };
    // A danger is a post however it is written: filed in a building group, where it can be routed;
    // answered with the safety line in a private chat or the leadership group, where someone may
    // well turn first (a leader passing on what a resident told them).
    const dangerAsPost = place !== undefined || message.chatType === 'single' || leadership;
    const classified = classifyMessage(message.text, ledger.categories, { dangerAsPost });
    // `转给` and words, no number: 转派 when they name someone (转给李秀兰), else chatter (转给物业了吗).
    const chatter =
      classified.kind === 'chatter' ||
      (classified.kind === 'command' &&
        classified.command.onlyIfNamed === true &&
        !namesSomeone(ledger, classified.command));
    // A command, a post (a danger included) and a tag missing its words keep their meaning.
    if (chatter && photosOf(message) && !leadership)
      return { kind: 'photos_with_words', place, words: captionOf(message.text) };
    if (chatter) return { kind: 'chatter', place };
    return { ...classified, place };
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
    const place =
      understood.kind === 'unregistered_group' || understood.kind === 'photos_for_nothing'
        ? undefined
        : understood.place;
    const out = new Outgoing();
    const log = ctx.log.about({ msgid: message.msgId, chatid: message.chatId });
    const photos = photosOf(message);
    const answerChatter = () =>
      chatterReply(message.text ?? '', message.senderId, place !== undefined, { tx, ledger, now, botName });

    switch (understood.kind) {
      case 'unregistered_group': {
        // Kept, but answered at most once a day: the group may simply not be registered yet.
        const [first] = await tx.query<{ chat_id: string }[]>(
          `INSERT INTO unregistered_chat_notice (chat_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING chat_id`,
          [message.chatId, formatDay(now, timeZone)],
        );
        // A danger is answered every time: what to do and whom to call matter more than the
        // registration, and no head here will see it.
        const safety = safetyLine(ledger, understood.hazard);
        if (safety) out.reply(`${safety}\n本群还没有在睦邻登记，请直接拨打上面的电话，并告诉社区网格员`);
        else if (first) out.reply('本群还没有在睦邻登记，暂时不能受理。请联系社区网格员登记本群。');
        log.info({}, 'message from a group that is not in the ledger');
        break;
      }
      case 'command': {
        const { command } = understood;
        log.info({ command: command.name, no: command.requestNo }, 'command');
        if (command.otherNos && command.requestNo !== null) {
          out.reply(oneAtATime({ ...command, requestNo: command.requestNo }));
          break;
        }
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
          command,
          // WeCom sends a quote-reply's quoted text apart; a pasted one is inline, before the command.
          quotedText: message.quotedText ?? splitQuotedReply(message.text ?? '').quoted,
          out,
          photos,
          pageLinks: this.options.pageLinks,
        });
        break;
      }
      case 'post':
        if (!place) {
          out.reply(postOutsideBuildingGroup(understood.post, ledger));
        } else {
          const filed = await createRequest({ writes, ledger, place, now, out }, understood.post, {
            inboundId: message.id,
            senderId: message.senderId,
            chatId: message.chatId,
            imageUrls: message.imageUrls,
          });
          const { request } = filed;
          // A post's photos are kept with the request it files; a repeat files nothing.
          if (!filed.repeat) photos?.answer();
          log.info(
            {
              no: request.no,
              category: request.category,
              priority: request.priority,
              ...(understood.untagged ? { untagged: true } : {}),
            },
            filed.repeat ? 'post repeats a request' : 'request created',
          );
        }
        break;
      case 'photos': {
        photos?.answer();
        const chatId = message.chatType === 'group' ? message.chatId : null;
        const attachedTo = await attachLaterPhotos(
          { writes, now, out },
          { inboundId: message.id, senderId: message.senderId, chatId },
        );
        const examplePost = `#${categoryName(ledger.categories, 'repair')} ${EXAMPLE}`;
        // None of the sender's posts just before: in a building group, held for the one they are
        // about to send (held-photos.ts); in a private chat, where nothing is filed, how to attach.
        const held = !attachedTo && chatId !== null && place !== undefined;
        if (held) {
          await holdForNextPost(
            { writes, now, out, examplePost },
            { inboundId: message.id, senderId: message.senderId, chatId },
          );
        } else if (!attachedTo) out.reply(noRecentPost(chatId, examplePost));
        log.info(
          { photos: message.imageUrls.length, ...(attachedTo ? { no: attachedTo.no } : {}) },
          attachedTo
            ? 'photos attached to a recent request'
            : held
              ? 'photos held for the next post'
              : 'photos with no request to attach to',
        );
        break;
      }
      case 'photos_with_words': {
        const attachedTo = await attachLaterPhotos(
          { writes, now, out },
          {
            inboundId: message.id,
            senderId: message.senderId,
            chatId: message.chatType === 'group' ? message.chatId : null,
            words: understood.words,
          },
        );
        if (attachedTo) {
          photos?.answer();
          log.info(
            { photos: message.imageUrls.length, no: attachedTo.no },
            'photos with words for a recent request',
          );
          break;
        }
        // No post of theirs just before: chatter, whose photos the line below says nothing took.
        out.reply(await answerChatter());
        break;
      }
      case 'photos_for_nothing':
        // Left unanswered here: the line below says they were attached to nothing, and how to.
        break;
      case 'missing_description': {
        const name = categoryName(ledger.categories, understood.category);
        out.reply(`请在「#${name}」后面写上具体情况，例如：#${name} 2单元楼道灯不亮`);
        // The post sent again with its words takes the photos (held-photos.ts).
        if (place && message.chatType === 'group') photos?.forNewReport();
        break;
      }
      case 'chatter':
        out.reply(await answerChatter());
        break;
    }

    // Photos whose answer asks for a new report wait for it in this building group.
    if (photos?.waitForNewReport && place && message.chatType === 'group' && message.chatId) {
      await holdPhotos(writes, now, {
        inboundId: message.id,
        senderId: message.senderId,
        chatId: message.chatId,
      });
      photos.answer();
    }
    // Photos nothing took are said to be lost, with how to attach them; after a refused command,
    // whose refusal says what to do, only that they are. Not in a group that is not registered:
    // nothing there is taken, and its answer says so.
    if (photos && !photos.answered && understood.kind !== 'unregistered_group') {
      out.addToReply(photos.refused || photos.waitForNewReport ? PHOTOS_NOT_TAKEN : PHOTOS_NOT_ATTACHED);
      log.info({ photos: photos.count, kind: understood.kind }, 'photos attached to nothing');
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
