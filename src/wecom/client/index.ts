export { WecomClient, DEFAULT_TIMEOUT_MS, type WecomClientOptions } from './wecom-client';
export type { AppCredentials, OutgoingBody, SendFailure, SendOutcome, SendSuccess } from './message-types';
export { outcomeOfErrcode } from './errcodes';
export { markdownContentOf } from './payloads';
export { MESSAGE_LIMITS, TRUNCATION_MARK, splitMessage, truncateMessage, utf8Length } from './split-message';
export type { FetchFn } from './call-api';
