import { Logger } from '@nestjs/common';
import { inSpan, startTracing, type TracingHandle } from '@app/platform';
import { Writable } from 'node:stream';
import { createTestApp, eventually, settled, type TestApp } from '@app/testing';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { checkout, newProduct } from '../commerce/helpers.js';
import { vaultCard } from '../payments/helpers.js';
import { markContactsVerified } from '../notifications/helpers.js';

/**
 * One order, one trace: the HTTP request that places it, each consumer of the choreography
 * (payments, inventory, confirmation, notifications) and the notification delivery job all share
 * its trace id, each a descendant of the request's span — carried by the envelope's and the
 * job data's `traceparent`. Spans go to an in-memory exporter instead of OTLP.
 */
describe('observability: one connected trace per order', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle;
  let t: TestApp;
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });

  beforeAll(async () => {
    tracing = (await startTracing({ serviceName: 'test', exporter, instrumentations: false }))!;
    t = await createTestApp({
      env: { PAYMENTS_POLL_INTERVAL_MS: '100', LOG_LEVEL: 'info' },
      logStream,
    });
  });
  afterAll(async () => {
    await t?.close();
    await tracing?.shutdown();
  });

  it('covers order request (reserves stock) → charge → confirm → notify → delivery job', async () => {
    const admin = await t.newUser({ roles: ['customer', 'admin'] });
    const buyer = await t.newUser();
    await markContactsVerified(t, buyer);
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { price: 1200, stock: 5 });
    await settled(t);
    exporter.reset();

    const res = await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }]);
    expect(res.statusCode).toBe(202);
    const orderId: string = res.json().id;
    const delivered = async () =>
      (
        await t.dataSource.query(
          `SELECT count(*)::int AS n FROM notifications.notifications
            WHERE event_type = 'commerce.order-confirmed' AND status = 'sent' AND channel <> 'in_app'
              AND title LIKE $1`,
          [`%${orderId}%`],
        )
      )[0].n as number;
    await eventually(async () => expect(await delivered()).toBeGreaterThan(0), { timeout: 20_000 });
    await settled(t);

    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'POST /v1/commerce/orders');
    expect(request, spans.map((s) => s.name).join(', ')).toBeDefined();
    const traceId = request!.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const names = inTrace.map((s) => s.name);
    for (const expected of [
      'consume commerce.order-created payments.charge-order',
      'consume payments.payment-succeeded commerce.confirm-order',
      'consume commerce.order-confirmed notifications.order-confirmed',
      'job notifications.deliver deliver',
      // BullMQ's own telemetry (bullmq-otel): the job is processed inside its `process` span.
      'process notifications.deliver',
    ]) {
      expect(names, `${expected} in ${names.join(', ')}`).toContain(expected);
    }
    // Connected: every span of the trace reaches the request's span through its parents.
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const root = (s: ReadableSpan): ReadableSpan => {
      const parent = s.parentSpanContext?.spanId;
      const p = parent ? byId.get(parent) : undefined;
      return p ? root(p) : s;
    };
    for (const s of inTrace) expect(root(s).name, s.name).toBe('POST /v1/commerce/orders');
    // Nested, not side by side: each job span is a child of BullMQ's span for that job.
    for (const job of inTrace.filter((s) => s.name === 'job notifications.deliver deliver'))
      expect(byId.get(job.parentSpanContext?.spanId ?? '')?.name).toBe(
        'process notifications.deliver',
      );
    // Log correlation: the problem+json traceId is the real trace id while tracing is on.
    const problem = await t.get('/v1/commerce/orders/00000000-0000-7000-8000-000000000000', {
      token: buyer.accessToken,
    });
    expect(problem.statusCode).toBe(404);
    expect(problem.json().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('puts trace_id and span_id on log lines written inside a span', async () => {
    const ids = await inSpan('probe', {}, async (span) => {
      new Logger('Probe').log('inside a span');
      return span!.spanContext();
    });
    await new Promise((r) => setTimeout(r, 50));
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'inside a span');
    expect(line).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
  });
});
