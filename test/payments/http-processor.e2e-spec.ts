import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contextConfig, loadConfig } from '@app/platform';
import { CONTEXTS } from '../../src/contexts.js';
import { PaymentsConfig } from '../../src/payments/payments.config.js';
import { HttpProcessor } from '../../src/payments/processor/http-processor.js';
import { ProcessorTimeout } from '../../src/payments/processor/processor.port.js';

/** A stand-in processor on loopback that records what it was sent. */
describe('HTTP processor adapter', () => {
  let server: Server;
  let url: string;
  const seen: { method: string; path: string; headers: IncomingMessage['headers']; body: any }[] =
    [];
  const card = { number: '4242424242424242', expMonth: 12, expYear: 2035, holderName: 'H' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = raw ? JSON.parse(raw) : undefined;
        seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
        const send = (status: number, json: object) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
        if (req.url === '/v1/charges' && body.amount === 13) return; // never answers
        if (req.url === '/v1/charges')
          return send(
            200,
            body.amount === 402
              ? { status: 'declined', reason: 'insufficient_funds' }
              : { status: 'succeeded', id: 'ch_1' },
          );
        if (req.url === '/v1/refunds') return send(200, { status: 'succeeded', id: 're_1' });
        if (req.url?.startsWith('/v1/charges?idempotency_key=known'))
          return send(200, { status: 'succeeded', id: 'ch_1', amount: 500, amount_refunded: 0 });
        if (req.url?.startsWith('/v1/charges?')) return send(404, {});
        return send(500, {});
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const processor = () =>
    new HttpProcessor(
      contextConfig(
        loadConfig(
          {
            DATA_DIR: process.env.DATA_DIR!,
            PAYMENTS_PROCESSOR: 'http',
            PAYMENTS_PROCESSOR_URL: url,
            PAYMENTS_PROCESSOR_API_KEY: 'sk_test_123',
            PAYMENTS_PROCESSOR_TIMEOUT_MS: '300',
          },
          CONTEXTS,
        ),
        PaymentsConfig,
      ),
    );

  it('charges with the idempotency key and bearer key, and maps the answer', async () => {
    expect(
      await processor().charge({
        idempotencyKey: 'saga-1:charge',
        amount: 500,
        currency: 'EUR',
        card,
      }),
    ).toEqual({ status: 'succeeded', chargeId: 'ch_1' });
    const call = seen.at(-1)!;
    expect(call).toMatchObject({
      method: 'POST',
      path: '/v1/charges',
      body: { amount: 500, currency: 'EUR' },
    });
    expect(call.headers['idempotency-key']).toBe('saga-1:charge');
    expect(call.headers.authorization).toBe('Bearer sk_test_123');
    expect(
      await processor().charge({
        idempotencyKey: 'saga-2:charge',
        amount: 402,
        currency: 'EUR',
        card,
      }),
    ).toEqual({ status: 'declined', reason: 'insufficient_funds' });
  });

  it('reports a call that never answers as an unknown outcome, without card data in the error', async () => {
    const err = await processor()
      .charge({ idempotencyKey: 'saga-3:charge', amount: 13, currency: 'EUR', card })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessorTimeout);
    expect(String((err as Error).message)).not.toContain(card.number);
  });

  it('looks up a charge by idempotency key', async () => {
    expect(await processor().status('known')).toEqual({
      state: 'succeeded',
      chargeId: 'ch_1',
      amount: 500,
      refunded: 0,
    });
    expect(await processor().status('unknown')).toEqual({ state: 'not_found' });
  });

  it('refunds', async () => {
    expect(
      await processor().refund({ idempotencyKey: 'saga-1:refund', chargeId: 'ch_1', amount: 100 }),
    ).toEqual({ status: 'succeeded', refundId: 're_1' });
  });
});
