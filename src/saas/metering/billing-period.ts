/** A billing period, `[start, end)`, UTC. */
export interface Period {
  start: Date;
  end: Date;
}

/**
 * The period containing `at`: a calendar month (UTC) when `seconds` is 0, else the fixed-length
 * period of that many seconds (aligned to the Unix epoch) that demos and tests use.
 */
export function periodOf(at: Date, seconds: number): Period {
  if (seconds > 0) {
    const ms = seconds * 1000;
    const start = Math.floor(at.getTime() / ms) * ms;
    return { start: new Date(start), end: new Date(start + ms) };
  }
  const start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
  const end = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  return { start: new Date(start), end: new Date(end) };
}

/** The period right after `period`. */
export const nextPeriod = (period: Period, seconds: number): Period =>
  periodOf(period.end, seconds);

/** The hour containing `at` (its start). */
export const hourOf = (at: Date): Date =>
  new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
