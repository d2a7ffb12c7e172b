import type { OutgoingBody, SendOutcome } from '../wecom/client';
import type { OutboxSender } from './delivery';

export type SendObserver = (
  destination: 'group_webhook' | 'response_url' | 'app_message',
  outcome: string,
  seconds: number,
) => void;

/** Wraps a sender to time each call (for the send-latency metric) without the worker knowing. */
export function timedSender(sender: OutboxSender, observe: SendObserver): OutboxSender {
  const timed = async (
    destination: 'group_webhook' | 'response_url' | 'app_message',
    send: () => Promise<SendOutcome>,
  ): Promise<SendOutcome> => {
    const started = process.hrtime.bigint();
    let outcome = 'error';
    try {
      const result = await send();
      outcome = result.ok ? 'ok' : result.retry ? 'retry' : 'failed';
      return result;
    } finally {
      observe(destination, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  return {
    sendToWebhook: (key: string, body: OutgoingBody) =>
      timed('group_webhook', () => sender.sendToWebhook(key, body)),
    replyViaResponseUrl: (url: string, body: OutgoingBody) =>
      timed('response_url', () => sender.replyViaResponseUrl(url, body)),
    sendAppMessage: (userIds: readonly string[], body: OutgoingBody) =>
      timed('app_message', () => sender.sendAppMessage(userIds, body)),
  };
}
