import type { Logger } from '../shared/logger';

/** What the middleware stack puts on ctx.state. */
export interface AppState {
  requestId: string;
  log: Logger;
}
