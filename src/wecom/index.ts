export type { Channel, InboundMessage } from './inbound-message';
export { verifyUrl, openCallback, type ReceiverSettings } from './callback-receiver';
export { signatureOf, decryptEnvelope } from './crypto';
export { decryptMedia, MediaDecryptError } from './media-crypto';
