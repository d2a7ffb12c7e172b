/**
 * A database read for /metrics or /healthz, given up after `timeoutMs`: a locked table or a hung
 * connection must not hold up the answer (Prometheus gives up on a scrape after 10 s, a health
 * probe sooner), and those endpoints answer without the figures instead. Null when the read
 * failed or took too long; the read itself is left to end on its own.
 */
export async function readWithin<T>(read: () => Promise<T>, timeoutMs: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([read().catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}
