import type { Logger } from '../shared/logger';

/** What the middleware stack puts on ctx.state. */
export interface AppState {
  requestId: string;
  log: Logger;
  /**
   * The body of an error answer, for a route whose standard says how errors look (Open311);
   * unset, the status's bare name. Given only the status: no detail reaches the client.
   */
  errorBody?: (status: number, name: string) => unknown;
}
