import { Injectable, Module } from '@nestjs/common';
import {
  ConfigError,
  Consumes,
  ContextRedisModule,
  defineContext,
  EventTransport,
  InternalEvent,
  Metrics,
  Pollers,
  Transactions,
  assertContextModule,
  type IntegrationEventConsumer,
  type Tx,
} from '@app/platform';
import { createTestApp, eventually, type TestApp } from '@app/testing';

/** An event internal to a context named "probe". */
class ProbeStepDone extends InternalEvent<{ step: string }> {
  static override readonly type = 'probe.step-done';
  static override readonly version = 1;
}

@Injectable()
@Consumes(ProbeStepDone, 'probe.next-step')
class NextStep implements IntegrationEventConsumer<ProbeStepDone> {
  async consume(event: ProbeStepDone, tx: Tx) {
    await tx.manager.query(`INSERT INTO public.probe_steps (step) VALUES ($1)`, [
      event.payload.step,
    ]);
  }
}

@Injectable()
@Consumes(ProbeStepDone, 'elsewhere.peek')
class ForeignPeek implements IntegrationEventConsumer<ProbeStepDone> {
  async consume() {}
}

@Module({ providers: [NextStep] })
class ProbeModule {}

@Module({ providers: [ForeignPeek] })
class ElsewhereModule {}

describe('the context template', () => {
  describe('internal events', () => {
    let t: TestApp;
    const published: string[] = [];
    beforeAll(async () => {
      // A broker is configured: integration events go to it, internal ones must not.
      t = await createTestApp({ imports: [ProbeModule], env: { EVENT_TRANSPORT: 'redis' } });
      await t.dataSource.query(`CREATE TABLE public.probe_steps (step text)`);
      const transport = t.resolve(EventTransport);
      const publish = transport.publish.bind(transport);
      transport.publish = async (envelopes) => {
        published.push(...envelopes.map((e) => e.type));
        return publish(envelopes);
      };
    });
    afterAll(() => t.close());

    it('are delivered through the outbox and inbox to their own context, and never to a broker', async () => {
      await t.resolve(Transactions).run((tx) => tx.publish(new ProbeStepDone({ step: 'one' })));
      await eventually(async () => {
        const rows = await t.dataSource.query(`SELECT step FROM public.probe_steps`);
        expect(rows).toEqual([{ step: 'one' }]);
      });
      const [row] = await t.dataSource.query(
        `SELECT internal, dispatched_at IS NOT NULL AS dispatched FROM platform.outbox WHERE type = 'probe.step-done'`,
      );
      expect(row).toEqual({ internal: true, dispatched: true });
      // An integration event in the same app does reach the broker (the spy works).
      await t.newUser();
      await eventually(() => expect(published).toContain('identity.user-registered'));
      expect(published).not.toContain('probe.step-done');
    });
  });

  it('refuses to boot a consumer of another context’s internal event', async () => {
    await expect(createTestApp({ imports: [ProbeModule, ElsewhereModule] })).rejects.toThrow(
      /Consumer "elsewhere.peek" cannot consume probe.step-done: it is internal to probe/,
    );
  });

  it('boots CONTEXTS=identity in production without any other context’s variables', async () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-at-least-32-characters',
    };
    const t = await createTestApp({ env: { ...production, CONTEXTS: 'identity' } });
    try {
      expect((await t.get('/health/live')).statusCode).toBe(200);
      expect((await t.get('/v1/payments/accounts')).statusCode).toBe(404);
    } finally {
      await t.close();
    }
    // Hosting payments in production does need payments' own keys.
    await expect(
      createTestApp({ env: { ...production, CONTEXTS: 'identity,payments' } }),
    ).rejects.toThrow(ConfigError);
    await expect(
      createTestApp({ env: { ...production, CONTEXTS: 'identity,payments' } }),
    ).rejects.toThrow(/PAYMENTS_VAULT_KEYS: must be set in production/);
  });

  // The clients themselves are tested in context-redis.e2e-spec.ts.
  it('rejects a context module that asks for another context’s Redis key space (checked at boot)', () => {
    @Module({ imports: [ContextRedisModule.forContext('payments')] })
    class GreedyModule {}
    const greedy = defineContext({
      name: 'commerce',
      description: '',
      entities: [],
      migrations: [],
      module: GreedyModule,
    });
    expect(() => assertContextModule(greedy)).toThrow(
      /Context "commerce" asks for context "payments"'s Redis key space/,
    );
  });

  describe('periodic work (Poller)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('runs one at a time, coalesces kicks, drains while there is work, counts failures, and stop waits', async () => {
      let active = 0;
      let maxActive = 0;
      let runs = 0;
      let backlog = 3;
      let fail = false;
      let release!: () => void;
      let gate: Promise<void> = Promise.resolve();
      const poller = t.resolve(Pollers).create({
        name: 'probe.poller',
        intervalMs: 60_000,
        run: async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          runs++;
          await gate;
          active--;
          if (fail) throw new Error('poll failed');
          if (backlog > 0) return backlog--;
          return 0;
        },
      });
      // Started at creation (the app has bootstrapped, WORKERS=true): the first run drains the
      // backlog (3, 2, 1, then 0 → stop).
      await eventually(() => expect(runs).toBe(4));
      expect(backlog).toBe(0);

      gate = new Promise<void>((r) => (release = r));
      poller.kick();
      poller.kick(); // before the run starts: the same run
      await eventually(() => expect(runs).toBe(5));
      poller.kick();
      poller.kick(); // during the run: one more after it
      release();
      // The kicks during the run asked for exactly one more.
      await eventually(() => expect(runs).toBe(6));
      await new Promise((r) => setTimeout(r, 50));
      expect(runs).toBe(6);
      expect(maxActive).toBe(1);

      fail = true;
      poller.kick();
      await eventually(async () =>
        expect(await t.resolve(Metrics).render()).toMatch(
          /^five_poller_failures_total\{poller="probe.poller",service="[^"]+"\} 1$/m,
        ),
      );

      fail = false;
      gate = new Promise<void>((r) => (release = r));
      poller.kick();
      await eventually(() => expect(active).toBe(1));
      let stopped = false;
      const stopping = poller.stop().then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(stopped).toBe(false); // waits for the run in progress
      release();
      await stopping;
      const after = runs;
      poller.kick();
      await new Promise((r) => setTimeout(r, 50));
      expect(runs).toBe(after); // a stopped poller ignores kicks
    });
  });
});
