import Router from 'koa-router';
import type { Intake } from '../intake';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import { openCallback, verifyUrl, type Channel, type ReceiverSettings } from '../wecom';
import type { AppState } from './app-state';
import { readRawBody, type BodyLimits } from './raw-body';

export interface CallbackCounter {
  (channel: Channel, outcome: string): void;
}

export interface WecomRoutesDeps {
  /** One entry per channel that is on; a channel left out answers 404. */
  readonly receivers: Partial<Record<Channel, ReceiverSettings>>;
  readonly intake: Intake;
  readonly clock: Clock;
  readonly bodyLimits: BodyLimits;
  readonly countCallback?: CallbackCounter;
}

/** GET (URL verification) and POST (messages) for /wecom/app and /wecom/bot. */
export function wecomRoutes(deps: WecomRoutesDeps): Router<AppState> {
  const router = new Router<AppState>();
  const count = deps.countCallback ?? (() => undefined);

  const receiverFor = (channel: Channel): ReceiverSettings => {
    const receiver = deps.receivers[channel];
    if (!receiver)
      throw new AppError('not_found', `the ${channel} channel is off (its credentials are not set)`);
    return receiver;
  };

  for (const channel of ['app', 'bot'] as const) {
    router.get(`/wecom/${channel}`, (ctx) => {
      try {
        const plaintext = verifyUrl(receiverFor(channel), ctx.querystring, deps.clock.now());
        ctx.type = 'text/plain';
        ctx.body = plaintext;
        ctx.state.log.info({ channel }, 'callback URL verified');
        count(channel, 'verified');
      } catch (error) {
        count(channel, outcomeOf(error));
        throw error;
      }
    });

    router.post(`/wecom/${channel}`, async (ctx) => {
      try {
        const receiver = receiverFor(channel);
        const body = await readRawBody(ctx.req, deps.bodyLimits);
        const message = openCallback(receiver, ctx.querystring, body, deps.clock.now());
        ctx.state.log = ctx.state.log.child({ channel, msgid: message.msgId, chatid: message.chatId });
        const outcome = await deps.intake.accept(message);
        ctx.state.log.info({ outcome, msgType: message.msgType }, 'callback accepted');
        // An empty 200 tells WeCom the delivery succeeded; replies go out through the outbox.
        ctx.status = 200;
        ctx.body = '';
        count(channel, outcome);
      } catch (error) {
        count(channel, outcomeOf(error));
        throw error;
      }
    });
  }
  return router;
}

function outcomeOf(error: unknown): string {
  return error instanceof AppError ? error.code : 'error';
}
