/**
 * Retries an assertion until it passes or the timeout elapses, then rethrows its last error.
 * For effects that happen asynchronously (event deliveries, jobs).
 */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  { timeout = 10_000, interval = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, interval));
    }
  }
}
