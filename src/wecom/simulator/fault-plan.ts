import type { FaultMode, FaultOptions, SimulatedEndpoint } from './simulator-types';

export interface Fault {
  readonly mode: FaultMode;
  readonly delayMs: number;
}

const DEFAULT_DELAY_MS = 15_000;

/** Which faults make sense where: a webhook has no token to expire, gettoken is never faulted. */
function appliesTo(mode: FaultMode, endpoint: SimulatedEndpoint): boolean {
  if (endpoint === 'gettoken') return false;
  if (mode === 'expire_tokens') return endpoint === 'message_send';
  if (mode === 'invalid_key') return endpoint !== 'message_send';
  return true;
}

/** The faults still to inject: the next n calls, then a standing mode, if any. */
export class FaultPlan {
  private readonly queued: Fault[] = [];
  private standing: Fault | null = null;

  failNext(n: number, mode: FaultMode, options: FaultOptions = {}): void {
    for (let i = 0; i < n; i++) this.queued.push({ mode, delayMs: options.delayMs ?? DEFAULT_DELAY_MS });
  }

  setMode(mode: FaultMode | 'normal', options: FaultOptions = {}): void {
    this.standing = mode === 'normal' ? null : { mode, delayMs: options.delayMs ?? DEFAULT_DELAY_MS };
  }

  clear(): void {
    this.queued.length = 0;
    this.standing = null;
  }

  /** The fault for this call, if any; a queued fault is used up by the first call it applies to. */
  take(endpoint: SimulatedEndpoint): Fault | null {
    const next = this.queued[0];
    if (next && appliesTo(next.mode, endpoint)) return this.queued.shift() ?? null;
    if (this.standing && appliesTo(this.standing.mode, endpoint)) return this.standing;
    return null;
  }
}
