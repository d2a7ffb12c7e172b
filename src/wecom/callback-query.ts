import { AppError } from '../shared/errors';

export interface CallbackQuery {
  readonly msgSignature: string;
  readonly timestamp: string;
  readonly nonce: string;
  /** Present on URL verification only. */
  readonly echostr: string | undefined;
}

/**
 * Reads the callback query from the raw query string. Koa's ctx.query turns `+` into a space,
 * which breaks a base64 echostr, so each value goes through decodeURIComponent only.
 */
export function parseCallbackQuery(rawQuery: string, requireEchostr: boolean): CallbackQuery {
  const values = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    let decodedName: string;
    let decodedValue: string;
    try {
      decodedName = decodeURIComponent(name);
      decodedValue = decodeURIComponent(value);
    } catch {
      throw new AppError(
        'bad_request',
        `query parameter ${JSON.stringify(name.slice(0, 40))} is not URL-encoded`,
      );
    }
    if (!values.has(decodedName)) values.set(decodedName, decodedValue);
  }
  const required = requireEchostr
    ? ['msg_signature', 'timestamp', 'nonce', 'echostr']
    : ['msg_signature', 'timestamp', 'nonce'];
  const missing = required.filter((name) => !values.get(name));
  if (missing.length > 0) {
    throw new AppError('bad_request', `missing query parameters: ${missing.join(', ')}`);
  }
  const timestamp = values.get('timestamp') ?? '';
  if (!/^\d{1,12}$/.test(timestamp))
    throw new AppError('bad_request', 'timestamp is not a number of seconds');
  return {
    msgSignature: values.get('msg_signature') ?? '',
    timestamp,
    nonce: values.get('nonce') ?? '',
    echostr: values.get('echostr'),
  };
}
