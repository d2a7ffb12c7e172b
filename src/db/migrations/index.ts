import { InboundMessage1764300000000 } from './1764300000000-inbound-message';

/** Every migration, oldest first. Listed as classes so compiled and ts-jest runs find the same set. */
export const migrations = [InboundMessage1764300000000];
