import { PollingLoop } from '../../../src/shared/polling-loop';

/**
 * The loop shared by the outbox worker and the photo keeper, on Jest's fake timers (which also
 * fake performance.now()), so every wait is exact and nothing depends on the machine's speed.
 */
describe('PollingLoop', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  /** A loop whose rounds are recorded (at the fake clock's time) and answer from `answers`. */
  function recordingLoop(options: {
    answers?: (round: number) => { more: boolean } | Error;
    pollIntervalMs?: number;
    wakeDelayMs?: number;
  }) {
    const starts: number[] = [];
    const errors: unknown[] = [];
    const loop = new PollingLoop({
      round: () => {
        starts.push(performance.now());
        const answer = options.answers?.(starts.length) ?? { more: false };
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      ...(options.wakeDelayMs === undefined ? {} : { wakeDelayMs: options.wakeDelayMs }),
      onError: (error) => errors.push(error),
    });
    return { loop, starts, errors };
  }

  it('runs rounds back to back while they ask for more, then once per poll interval', async () => {
    const { loop, starts } = recordingLoop({ answers: (n) => ({ more: n <= 3 }) });
    const t0 = performance.now();
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(starts.map((t) => t - t0)).toEqual([0, 0, 0, 0]);
    await jest.advanceTimersByTimeAsync(2500);
    expect(starts.map((t) => t - t0)).toEqual([0, 0, 0, 0, 1000, 2000]);
    await loop.stop();
  });

  it('starts a round at once when woken while asleep', async () => {
    const { loop, starts } = recordingLoop({ pollIntervalMs: 60_000, wakeDelayMs: 10 });
    const t0 = performance.now();
    loop.start();
    await jest.advanceTimersByTimeAsync(5000);
    loop.wakeUp();
    await jest.advanceTimersByTimeAsync(0);
    expect(starts.map((t) => t - t0)).toEqual([0, 5000]);
    await loop.stop();
  });

  it('keeps rounds wakeDelayMs apart under a stream of wake-ups, one round per burst', async () => {
    const { loop, starts } = recordingLoop({ pollIntervalMs: 60_000, wakeDelayMs: 50 });
    const t0 = performance.now();
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    // A wake-up every 5 ms for 200 ms.
    for (let i = 0; i < 40; i++) {
      loop.wakeUp();
      await jest.advanceTimersByTimeAsync(5);
    }
    await jest.advanceTimersByTimeAsync(1000);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] ?? 0));
    expect(starts[0]).toBe(t0);
    expect(gaps.every((gap) => gap >= 50)).toBe(true);
    // 200 ms of wake-ups at most 50 ms apart: four or five rounds after the first, not forty.
    expect(starts.length).toBeGreaterThanOrEqual(5);
    expect(starts.length).toBeLessThanOrEqual(6);
    await loop.stop();
  });

  it('after a round during which it was woken, starts the next one wakeDelayMs after that round ended', async () => {
    let release: () => void = () => undefined;
    const starts: number[] = [];
    const loop = new PollingLoop({
      round: async () => {
        starts.push(performance.now());
        if (starts.length === 1) {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
        return { more: false };
      },
      pollIntervalMs: 60_000,
      wakeDelayMs: 50,
      onError: () => undefined,
    });
    loop.start();
    await jest.advanceTimersByTimeAsync(100);
    loop.wakeUp();
    loop.wakeUp();
    await jest.advanceTimersByTimeAsync(100);
    const roundEnded = performance.now();
    release();
    await jest.advanceTimersByTimeAsync(49);
    expect(starts).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([starts[0], roundEnded + 50]);
    // Two wake-ups during the round made one round; then the poll interval.
    await jest.advanceTimersByTimeAsync(59_000);
    expect(starts).toHaveLength(2);
    await loop.stop();
  });

  it('stops at once while waiting after a failed round, and while waiting out wakeDelayMs', async () => {
    const failing = recordingLoop({ pollIntervalMs: 60_000, answers: () => new Error('down') });
    failing.loop.start();
    await jest.advanceTimersByTimeAsync(10);
    await failing.loop.stop();
    expect(failing.starts).toHaveLength(1);

    const delayed = recordingLoop({ pollIntervalMs: 60_000, wakeDelayMs: 30_000 });
    delayed.loop.start();
    await jest.advanceTimersByTimeAsync(0);
    delayed.loop.wakeUp();
    await delayed.loop.stop();
    expect(delayed.starts).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('reports a failed round and waits out the poll interval, which a wake-up does not cut short', async () => {
    const failure = new Error('database down');
    const { loop, starts, errors } = recordingLoop({
      pollIntervalMs: 2000,
      answers: (n) => (n === 1 ? failure : { more: false }),
    });
    const t0 = performance.now();
    loop.start();
    await jest.advanceTimersByTimeAsync(500);
    loop.wakeUp();
    await jest.advanceTimersByTimeAsync(1000);
    expect(errors).toEqual([failure]);
    expect(starts).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(500);
    expect(starts.map((t) => t - t0)).toEqual([0, 2000]);
    await loop.stop();
  });

  it('stops at once while asleep, and after the round in flight while one runs', async () => {
    let release: () => void = () => undefined;
    let running = 0;
    const loop = new PollingLoop({
      round: async () => {
        running++;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        running--;
        return { more: false };
      },
      pollIntervalMs: 60_000,
      onError: () => undefined,
    });
    loop.start();
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await jest.advanceTimersByTimeAsync(0);
    expect(running).toBe(1);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(running).toBe(0);

    // Asleep: stop() needs no timer to fire.
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    release();
    await jest.advanceTimersByTimeAsync(0);
    await loop.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
