import { Injectable, Module } from '@nestjs/common';
import { IntegrationEvent, type EventEnvelope } from '@app/contracts';
import {
  Consumes,
  Inbox,
  Metrics,
  OutboxRelay,
  Transactions,
  type IntegrationEventConsumer,
  type Tx,
} from '@app/platform';
import { createTestApp, eventually, settled, type TestApp, type TestUser } from '@app/testing';

/** Test-only contract. */
class ProbeHappened extends IntegrationEvent<{ label: string }> {
  static override readonly type = 'test.probe-happened';
  static override readonly version = 1;
}

/** Effects are rows in a table, written in the consumer's transaction: counting them counts effects. */
async function recordEffect(tx: Tx, consumer: string, event: ProbeHappened) {
  await tx.manager.query(
    `INSERT INTO test_probe.effects (event_id, consumer, label) VALUES ($1, $2, $3)`,
    [event.metadata!.id, consumer, event.payload.label],
  );
}

/** Switchboard the tests flip to make the flaky consumer fail or succeed. */
const flaky = { failuresLeft: 0, calls: 0 };

@Injectable()
@Consumes(ProbeHappened, 'test.steady')
class SteadyConsumer implements IntegrationEventConsumer<ProbeHappened> {
  async consume(event: ProbeHappened, tx: Tx) {
    await recordEffect(tx, 'test.steady', event);
  }
}

@Injectable()
@Consumes(ProbeHappened, 'test.flaky')
class FlakyConsumer implements IntegrationEventConsumer<ProbeHappened> {
  async consume(event: ProbeHappened, tx: Tx) {
    if (!event.payload.label.startsWith('flaky')) return recordEffect(tx, 'test.flaky', event);
    flaky.calls++;
    // The write happens before the throw: it must be rolled back with the failure.
    await recordEffect(tx, 'test.flaky', event);
    if (flaky.failuresLeft > 0) {
      flaky.failuresLeft--;
      throw new Error('downstream unavailable');
    }
  }
}

@Module({ providers: [SteadyConsumer, FlakyConsumer] })
class ProbeConsumersModule {}

async function effects(t: TestApp, label: string): Promise<Record<string, number>> {
  const rows: { consumer: string; n: number }[] = await t.dataSource.query(
    `SELECT consumer, count(*)::int AS n FROM test_probe.effects WHERE label = $1 GROUP BY consumer`,
    [label],
  );
  return Object.fromEntries(rows.map((r) => [r.consumer, r.n]));
}

async function publish(t: TestApp, label: string, opts: { rollback?: boolean } = {}) {
  await t
    .resolve(Transactions)
    .run(async (tx) => {
      await tx.publish(new ProbeHappened({ label }));
      if (opts.rollback) throw new Error('rollback please');
    })
    .catch((err: Error) => {
      if (!opts.rollback || err.message !== 'rollback please') throw err;
    });
}

describe('messaging: transactional outbox, relay, inbox', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ProbeConsumersModule], env: { INBOX_MAX_ATTEMPTS: '3' } });
    // xid: the transaction each effect committed in.
    await t.dataSource.query(
      `CREATE SCHEMA test_probe;
       CREATE TABLE test_probe.effects (event_id uuid, consumer text, label text, xid bigint DEFAULT txid_current())`,
    );
    admin = await t.newUser({ roles: ['customer', 'admin'] });
  });
  afterAll(() => t.close());

  it('never delivers an event whose transaction rolled back', async () => {
    await publish(t, 'rolled-back', { rollback: true });
    await t.resolve(OutboxRelay).drain();
    await settled(t);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM platform.outbox WHERE payload->>'label' = 'rolled-back'`,
    );
    expect(n).toBe(0);
    expect(await effects(t, 'rolled-back')).toEqual({});
  });

  it('delivers a committed event to every consumer exactly once, right after commit', async () => {
    // The relay's poller runs at boot and then every 10 minutes: within this test only the
    // after-commit signal can deliver the event.
    const signalOnly = await createTestApp({
      imports: [ProbeConsumersModule],
      env: { OUTBOX_POLL_INTERVAL_MS: '600000' },
    });
    try {
      await signalOnly.dataSource.query(
        `CREATE SCHEMA test_probe; CREATE TABLE test_probe.effects (event_id uuid, consumer text, label text)`,
      );
      await publish(signalOnly, 'committed');
      await eventually(async () =>
        expect(await effects(signalOnly, 'committed')).toEqual({
          'test.steady': 1,
          'test.flaky': 1,
        }),
      );
      await settled(signalOnly);
      expect(await effects(signalOnly, 'committed')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
      const [row] = await signalOnly.dataSource.query(
        `SELECT dispatched_at FROM platform.outbox WHERE payload->>'label' = 'committed'`,
      );
      expect(row.dispatched_at).not.toBeNull();
    } finally {
      await signalOnly.close();
    }
  });

  it('fills the envelope: uuid v7 id, type, version, correlation and causation ids', async () => {
    await publish(t, 'envelope');
    const [row] = await eventually(async () => {
      const rows = await t.dataSource.query(
        `SELECT envelope FROM platform.inbox WHERE consumer = 'test.steady' AND envelope->'payload'->>'label' = 'envelope'`,
      );
      expect(rows).toHaveLength(1);
      return rows;
    });
    const env = row.envelope as EventEnvelope;
    expect(env.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(env).toMatchObject({
      type: 'test.probe-happened',
      version: 1,
      payload: { label: 'envelope' },
    });
    expect(env.correlationId).toEqual(expect.any(String));
    expect(new Date(env.occurredAt).toISOString()).toBe(env.occurredAt);
  });

  it('keeps effects exactly-once when the relay delivers the same event twice (also concurrently)', async () => {
    await publish(t, 'duplicate');
    await eventually(async () =>
      expect(await effects(t, 'duplicate')).toEqual({ 'test.steady': 1, 'test.flaky': 1 }),
    );
    await settled(t);
    expect(await effects(t, 'duplicate')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
    const rows = await t.dataSource.query(
      `SELECT DISTINCT envelope FROM platform.inbox WHERE envelope->'payload'->>'label' = 'duplicate'`,
    );
    const envelope = rows[0].envelope as EventEnvelope;
    const inbox = t.resolve(Inbox);
    // Simulated re-deliveries: one after the fact, then three racing each other.
    await inbox.dispatch([envelope]);
    await Promise.all([
      inbox.dispatch([envelope]),
      inbox.dispatch([envelope]),
      inbox.dispatch([envelope]),
    ]);
    await settled(t);
    expect(await effects(t, 'duplicate')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
    const metrics = await t.resolve(Metrics).render();
    expect(metrics).toMatch(
      /five_events_duplicate_total\{type="test.probe-happened",consumer="test.steady",service="[^"]+"\} [4-9]/,
    );
  });

  it('retries a failing consumer with backoff while another consumer of the same event succeeds once', async () => {
    flaky.failuresLeft = 2;
    flaky.calls = 0;
    await publish(t, 'flaky-recovers');
    await eventually(async () =>
      expect(await effects(t, 'flaky-recovers')).toEqual({ 'test.steady': 1, 'test.flaky': 1 }),
    );
    await settled(t);
    expect(await effects(t, 'flaky-recovers')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
    expect(flaky.calls).toBe(3);
    const [row] = await t.dataSource.query(
      `SELECT status, attempts FROM platform.inbox WHERE consumer = 'test.flaky' AND envelope->'payload'->>'label' = 'flaky-recovers'`,
    );
    expect(row).toEqual({ status: 'done', attempts: 3 });
    const [steady] = await t.dataSource.query(
      `SELECT status, attempts FROM platform.inbox WHERE consumer = 'test.steady' AND envelope->'payload'->>'label' = 'flaky-recovers'`,
    );
    expect(steady).toEqual({ status: 'done', attempts: 1 });
  });

  it('delivers a relay batch to each consumer in one transaction, and retries only the event that failed in it', async () => {
    flaky.failuresLeft = 2; // the batch attempt, then that event's own first attempt
    flaky.calls = 0;
    const labels = ['batch-1', 'batch-2', 'flaky-batch-3', 'batch-4', 'batch-5'];
    const relay = t.resolve(OutboxRelay);
    await relay.stop();
    try {
      await t
        .resolve(Transactions)
        .run((tx) => tx.publish(...labels.map((label) => new ProbeHappened({ label }))));
      expect(await relay.dispatchBatch()).toBe(5);
    } finally {
      relay.start();
    }
    const perConsumer = async (consumer: string) =>
      (await t.dataSource.query(
        `SELECT e.label, count(*)::int AS effects, count(DISTINCT e.xid)::int AS xids, i.status, i.attempts
           FROM test_probe.effects e JOIN platform.inbox i ON i.event_id = e.event_id AND i.consumer = e.consumer
          WHERE e.consumer = $1 AND e.label LIKE '%batch-%'
          GROUP BY e.label, i.status, i.attempts ORDER BY e.label`,
        [consumer],
      )) as { label: string; effects: number; xids: number; status: string; attempts: number }[];
    const steady = await perConsumer('test.steady');
    expect(steady.map((r) => [r.label, r.effects, r.status, r.attempts])).toEqual(
      [...labels].sort().map((l) => [l, 1, 'done', 1]),
    );
    const [{ xids }] = await t.dataSource.query(
      `SELECT count(DISTINCT xid)::int AS xids FROM test_probe.effects WHERE consumer = 'test.steady' AND label LIKE '%batch-%'`,
    );
    expect(xids).toBe(1);
    // The flaky consumer's batch rolled back as a whole; each event was then delivered on its
    // own, and only the failing one waited for a retry.
    await eventually(async () =>
      expect(
        (await perConsumer('test.flaky')).map((r) => [r.label, r.effects, r.attempts]),
      ).toEqual([...labels].sort().map((l) => [l, 1, l.startsWith('flaky') ? 2 : 1])),
    );
    await settled(t);
    expect((await perConsumer('test.flaky')).map((r) => [r.label, r.effects, r.attempts])).toEqual(
      [...labels].sort().map((l) => [l, 1, l.startsWith('flaky') ? 2 : 1]),
    );
    expect(flaky.calls).toBe(3);
  });

  it('parks a delivery after INBOX_MAX_ATTEMPTS failures, lists it for admins, and re-drive delivers it', async () => {
    flaky.failuresLeft = 1_000;
    flaky.calls = 0;
    await publish(t, 'flaky-parks');
    const parked = await eventually(async () => {
      const res = await t.get('/v1/platform/deliveries/parked', { token: admin.accessToken });
      const item = res
        .json()
        .items.find(
          (i: { envelope: EventEnvelope }) =>
            (i.envelope.payload as { label: string }).label === 'flaky-parks',
        );
      expect(item).toBeDefined();
      return item;
    });
    expect(parked).toMatchObject({
      consumer: 'test.flaky',
      eventType: 'test.probe-happened',
      attempts: 3,
      lastError: 'Error: downstream unavailable',
    });
    await settled(t);
    expect(flaky.calls).toBe(3);
    expect(await effects(t, 'flaky-parks')).toEqual({ 'test.steady': 1 });
    // Parked means parked: the poller leaves it alone.
    await t.resolve(OutboxRelay).drain();
    await settled(t);
    expect(flaky.calls).toBe(3);

    flaky.failuresLeft = 0;
    const redrive = await t.post(
      `/v1/platform/deliveries/${parked.eventId}/test.flaky/redrive`,
      {},
      { token: admin.accessToken },
    );
    expect(redrive.statusCode).toBe(202);
    await eventually(async () =>
      expect(await effects(t, 'flaky-parks')).toEqual({ 'test.steady': 1, 'test.flaky': 1 }),
    );
    await settled(t);
    expect(await effects(t, 'flaky-parks')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
    const again = await t.post(
      `/v1/platform/deliveries/${parked.eventId}/test.flaky/redrive`,
      {},
      { token: admin.accessToken },
    );
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('platform.not_found');
  });

  it('pages parked deliveries with a cursor', async () => {
    flaky.failuresLeft = 1_000;
    for (const label of ['flaky-page-1', 'flaky-page-2', 'flaky-page-3']) await publish(t, label);
    await eventually(async () => {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM platform.inbox WHERE status = 'parked'`,
      );
      expect(n).toBe(3);
    });
    const first = (
      await t.get('/v1/platform/deliveries/parked?limit=2', { token: admin.accessToken })
    ).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (
      await t.get(`/v1/platform/deliveries/parked?limit=2&cursor=${first.nextCursor}`, {
        token: admin.accessToken,
      })
    ).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((i: { eventId: string }) => i.eventId);
    expect(new Set(ids).size).toBe(3);
    flaky.failuresLeft = 0;
  });
});

describe('messaging: a crash between commit and relay', () => {
  it('delivers what a dead process committed once a fresh relay starts', async () => {
    // Process 1 hosts no relay (as if it died right after COMMIT, before the in-memory signal).
    const dead = await createTestApp({
      imports: [ProbeConsumersModule],
      env: { WORKERS: 'false' },
    });
    await dead.dataSource.query(
      `CREATE SCHEMA test_probe; CREATE TABLE test_probe.effects (event_id uuid, consumer text, label text)`,
    );
    await publish(dead, 'orphaned');
    // Nothing to wait for: a WORKERS=false process never relays. The pause only gives a relay,
    // were there one, the time to show itself (the after-commit signal delivers in milliseconds).
    await new Promise((r) => setTimeout(r, 200));
    const [pending] = await dead.dataSource.query(
      `SELECT dispatched_at FROM platform.outbox WHERE payload->>'label' = 'orphaned'`,
    );
    expect(pending.dispatched_at).toBeNull();
    expect(await effects(dead, 'orphaned')).toEqual({});
    await dead.app.close(); // the process is gone; its database stays

    const fresh = await createTestApp({
      imports: [ProbeConsumersModule],
      database: dead.database,
      redisPrefix: dead.redisPrefix,
    });
    try {
      await eventually(async () =>
        expect(await effects(fresh, 'orphaned')).toEqual({ 'test.steady': 1, 'test.flaky': 1 }),
      );
      await settled(fresh);
      expect(await effects(fresh, 'orphaned')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
    } finally {
      await fresh.close();
      await dead.database.drop();
    }
  });

  it('redelivers a delivery whose worker died mid-flight once its lease expires', async () => {
    const t = await createTestApp({
      imports: [ProbeConsumersModule],
      env: { INBOX_LEASE_MS: '300' },
    });
    try {
      await t.dataSource.query(
        `CREATE SCHEMA test_probe; CREATE TABLE test_probe.effects (event_id uuid, consumer text, label text)`,
      );
      // Simulate: the relay claimed the event and wrote pending inbox rows, then died before
      // its in-process dispatch ran.
      const relay = t.resolve(OutboxRelay);
      await relay.stop();
      await publish(t, 'mid-flight');
      const inbox = t.resolve(Inbox);
      const dispatch = vi.spyOn(inbox, 'dispatch').mockResolvedValueOnce(undefined);
      expect(await relay.dispatchBatch()).toBe(1);
      dispatch.mockRestore();
      expect(await effects(t, 'mid-flight')).toEqual({});
      relay.start();
      await eventually(async () =>
        expect(await effects(t, 'mid-flight')).toEqual({ 'test.steady': 1, 'test.flaky': 1 }),
      );
      await settled(t);
      expect(await effects(t, 'mid-flight')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
    } finally {
      await t.close();
    }
  });
});

@Module({ providers: [SteadyConsumer] })
class SteadyOnlyModule {}

@Module({ providers: [FlakyConsumer] })
class FlakyOnlyModule {}

describe('messaging: processes hosting different consumers share one database', () => {
  it('fans each event out to every registered consumer, whichever relay claims it', async () => {
    const a = await createTestApp({ imports: [SteadyOnlyModule] });
    const b = await createTestApp({
      imports: [FlakyOnlyModule],
      database: a.database,
      redisPrefix: a.redisPrefix,
    });
    try {
      await a.dataSource.query(
        `CREATE SCHEMA test_probe; CREATE TABLE test_probe.effects (event_id uuid, consumer text, label text)`,
      );
      const registered = await a.dataSource.query(
        `SELECT name FROM platform.consumers WHERE name LIKE 'test.%' ORDER BY name`,
      );
      expect(registered.map((r: { name: string }) => r.name)).toEqual([
        'test.flaky',
        'test.steady',
      ]);
      for (const [app, label] of [
        [a, 'from-a'],
        [b, 'from-b'],
      ] as const)
        await publish(app, label);
      await eventually(async () => {
        expect(await effects(a, 'from-a')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
        expect(await effects(a, 'from-b')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
      });
      await Promise.all([settled(a), settled(b)]);
      expect(await effects(a, 'from-a')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
      expect(await effects(a, 'from-b')).toEqual({ 'test.steady': 1, 'test.flaky': 1 });
    } finally {
      await b.app.close();
      await a.close();
    }
  });
});

const slow = { started: 0 };

@Injectable()
@Consumes(ProbeHappened, 'test.slow')
class SlowConsumer implements IntegrationEventConsumer<ProbeHappened> {
  async consume(event: ProbeHappened, tx: Tx) {
    slow.started++;
    await new Promise((r) => setTimeout(r, 400));
    await recordEffect(tx, 'test.slow', event);
  }
}

@Module({ providers: [SlowConsumer] })
class SlowModule {}

describe('messaging: graceful shutdown', () => {
  it('lets an in-flight delivery commit before the pools close', async () => {
    const t = await createTestApp({ imports: [SlowModule] });
    const database = t.database;
    try {
      await t.dataSource.query(
        `CREATE SCHEMA test_probe; CREATE TABLE test_probe.effects (event_id uuid, consumer text, label text)`,
      );
      await publish(t, 'in-flight-at-shutdown');
      await eventually(() => expect(slow.started).toBe(1));
      await t.app.close();
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query(
        `SELECT consumer FROM test_probe.effects WHERE label = 'in-flight-at-shutdown'`,
      );
      const inbox = await client.query(
        `SELECT status FROM platform.inbox WHERE consumer = 'test.slow'`,
      );
      await client.end();
      expect(rows).toEqual([{ consumer: 'test.slow' }]);
      expect(inbox.rows).toEqual([{ status: 'done' }]);
    } finally {
      await database.drop();
    }
  });
});

/** Holds `test.gated` inside its transaction on the event labelled `slow-first` until opened. */
const gate = { wait: Promise.resolve() };

@Injectable()
@Consumes(ProbeHappened, 'test.gated')
class GatedConsumer implements IntegrationEventConsumer<ProbeHappened> {
  async consume(event: ProbeHappened, tx: Tx) {
    if (event.payload.label === 'slow-first') await gate.wait;
    await recordEffect(tx, 'test.gated', event);
  }
}

@Module({ providers: [SteadyConsumer, GatedConsumer] })
class GatedAndSteadyModule {}

describe('messaging: consumers do not wait for each other', () => {
  it('delivers later events to a consumer while another is still busy with an earlier one', async () => {
    const t = await createTestApp({ imports: [GatedAndSteadyModule] });
    let open: () => void = () => undefined;
    try {
      await t.dataSource.query(
        `CREATE SCHEMA test_probe; CREATE TABLE test_probe.effects (event_id uuid, consumer text, label text)`,
      );
      gate.wait = new Promise<void>((r) => (open = r));
      await publish(t, 'slow-first');
      await eventually(async () =>
        expect(await effects(t, 'slow-first')).toEqual({ 'test.steady': 1 }),
      );
      await publish(t, 'slow-second');
      await eventually(async () =>
        expect(await effects(t, 'slow-second')).toEqual({ 'test.steady': 1 }),
      );
      // The slow consumer is still on its first event, and takes its events in order.
      expect(await effects(t, 'slow-first')).toEqual({ 'test.steady': 1 });
      open();
      await eventually(async () => {
        expect(await effects(t, 'slow-first')).toEqual({ 'test.steady': 1, 'test.gated': 1 });
        expect(await effects(t, 'slow-second')).toEqual({ 'test.steady': 1, 'test.gated': 1 });
      });
      await settled(t);
      expect(await effects(t, 'slow-first')).toEqual({ 'test.steady': 1, 'test.gated': 1 });
      expect(await effects(t, 'slow-second')).toEqual({ 'test.steady': 1, 'test.gated': 1 });
    } finally {
      open();
      await t.close();
    }
  });
});
