/** Queues are named `<context>.<job>`, e.g. `streaming.encode`. */
export function queueName(context: string, job: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(context))
    throw new Error(`Context "${context}" must be kebab-case`);
  if (!/^[a-z][a-z0-9-]*$/.test(job)) throw new Error(`Job name "${job}" must be kebab-case`);
  return `${context}.${job}`;
}

/**
 * Every job's data carries the correlation id of the request or event that caused it (and the
 * tenant where relevant) and, when tracing is on, the `traceparent` of the span that queued it
 * (`currentTraceparent()`; processors run inside `inJobSpan`). Each queue's data is a union discriminated by `kind`, and processors
 * end their switch with `assertNever`, so a new kind cannot be silently ignored.
 */
export type JobData<K extends string, P extends object = object> = {
  kind: K;
  correlationId: string;
  tenantId?: string;
  /** W3C trace context of the span that queued it (only when tracing is on). */
  traceparent?: string;
} & P;

/** What a processor reports; `skipped` says the target was gone or the work already done. */
export type JobOutcome = 'done' | 'skipped';

export function assertNever(value: never): never {
  throw new Error(`Unhandled job kind: ${JSON.stringify(value)}`);
}
