/**
 * The outbox: the only way Mulin sends to WeCom.
 *
 * Enqueue. A change that should tell someone something calls enqueue(tx, item) inside its own
 * transaction, so the state change, its event row and its outgoing rows commit together (a rolled
 * back change sends nothing; a committed one cannot lose its message). After the commit, calling
 * the worker's wakeUp() sends it within milliseconds instead of at the next poll. A dedupe key
 * makes an enqueue idempotent.
 *
 * Splitting. A row holds the whole message; the worker splits it at send time into "(i/n)" parts
 * within the surface's byte limit and records progress in parts_sent. Rows stay one per message
 * (the dedupe key, admin views and request links stay simple), a failed part does not resend the
 * parts before it, and a response_url falling back to a webhook is split at the webhook's limit.
 *
 * Delivery is at least once; a duplicate needs a crash at one exact point. A worker leases rows
 * in one statement (SKIP LOCKED, claimed_until, claim_token, attempts + 1), sends with no
 * transaction open, then records the outcomes of the round together (one statement), each only if
 * its claim token still holds the row. WeCom's webhook has no idempotency key, so exactly once is
 * impossible:
 * - dies after the claim, before the send: sent once, after the lease (leaseMs, 2 min) runs out;
 * - dies after WeCom accepted, before the mark: sent again after the lease: one duplicate;
 * - a send slower than the lease: another worker may send it too; the late mark is refused and
 *   logged. The lease is kept far above the client's 10 s deadline per call to rule this out.
 * Marking sent in the claiming transaction instead would hold a row lock (and, on the embedded
 * database, the only session) across a 10 s HTTP call, and a crash would roll the mark back anyway.
 *
 * Order and rate. Rows of one webhook key (rate_key) go one at a time in id order: a row is due
 * only when no earlier row of its key is pending (waiting out a backoff, say) and no row of its
 * key is on a lease. Each send takes a slot from outbox_rate, a row per key holding the send times
 * of the last minute and the key's lease, under that row's lock in the claiming statement; so all
 * instances together send at most ratePerMinute (20) per key per minute. A key that used its
 * minute pushes its head row back to when a slot frees up. A private notice is keyed by its
 * person (`app:` and the userid), since WeCom drops what passes 30 a minute to one member; one to
 * several people is stored as a row for each, each with its own key and dedupe key. Such a key also
 * counts its sends of the last hour (outbox_rate.hour_sends, in minute buckets) in the same
 * statement, and at appMessagesPerHour (1,000, WeCom's cap per member) its head is pushed back,
 * still pending, to when the hour's oldest sends leave the window. Webhook keys have no hourly cap
 * (PROTOCOL.md states none). response_url has no key and no such limit.
 *
 * Cost. A row found waiting behind an earlier row of its key is parked (outbox.parked) and leaves
 * the claim's index; the settle of the row ahead unparks the key's next row, due when the key's
 * next slot frees. So a round reads the heads of keys, not their queues: a backlog of thousands of
 * rows behind rate-limited keys costs a round nothing, and a message costs about two statements
 * (its share of a claim and of a settle). wakeUp() calls close together lead to one round.
 *
 * Failures. Permanent errcodes (bad key, bad secret, too long, …) fail the row at once; retryable
 * ones (45009, 45033, -1, 5xx, network, timeout) back off exponentially with jitter and make the
 * row dead after maxAttempts. A response_url refused, out of attempts or older than 55 minutes
 * turns into a message to its fallbackWebhookKey when it has one.
 */
export { enqueue, outboxInsert, type EnqueueResult } from './enqueue';
export { OutboxWorker, type OutboxWorkerOptions } from './outbox-worker';
export type { OutboxSender } from './delivery';
export { timedSender, type SendObserver } from './timed-sender';
export {
  listOutbox,
  retryOutboxMessage,
  retryAllDead,
  outboxHealth,
  type OutboxEntry,
  type OutboxHealth,
  type RetryOutcome,
  type Queryable,
} from './admin';
export {
  OUTBOX_STATUSES,
  type OutboxBody,
  type OutboxDestination,
  type OutboxItem,
  type OutboxPurpose,
  type OutboxStatus,
} from './outbox-types';
