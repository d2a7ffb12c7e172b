import { InboundMessageRecord } from './inbound-message.entity';

export { InboundMessageRecord };
export const entities = [InboundMessageRecord];
