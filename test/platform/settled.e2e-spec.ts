import { Injectable, Module } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { IntegrationEvent } from '@app/contracts';
import {
  Consumes,
  MAINTENANCE_QUEUE,
  Transactions,
  type IntegrationEventConsumer,
  type Tx,
} from '@app/platform';
import { createTestApp, settled, type TestApp } from '@app/testing';
import type { Queue } from 'bullmq';

class GateTested extends IntegrationEvent<{ label: string }> {
  static override readonly type = 'test.gate-tested';
  static override readonly version = 1;
}

/** Holds its delivery until the test opens the gate; then records the effect. */
const gate = { wait: Promise.resolve(), open: () => undefined as void, effects: 0 };

@Injectable()
@Consumes(GateTested, 'test.held')
class HeldConsumer implements IntegrationEventConsumer<GateTested> {
  async consume(_event: GateTested, _tx: Tx) {
    await gate.wait;
    gate.effects++;
  }
}

@Module({ providers: [HeldConsumer] })
class HeldModule {}

const publish = (t: TestApp) =>
  t.resolve(Transactions).run((tx) => tx.publish(new GateTested({ label: 'x' })));
const maintenance = (t: TestApp) => t.resolve<Queue>(getQueueToken(MAINTENANCE_QUEUE) as never);

/** settled() itself: it waits for each kind of pending work, and names what it gave up on. */
describe('settled(): nothing pending in the outbox, the inbox or the queues', () => {
  it('waits for a delivery in progress, and names it when it does not finish in time', async () => {
    const t = await createTestApp({ imports: [HeldModule] });
    try {
      gate.effects = 0;
      gate.wait = new Promise<void>((r) => (gate.open = r));
      await publish(t);
      await expect(settled(t, { timeout: 500 })).rejects.toThrow(
        /settled: still pending after 500 ms: .*platform\.inbox: 1 pending for test\.held/,
      );
      gate.open();
      await settled(t);
      expect(gate.effects).toBe(1);
    } finally {
      gate.open();
      await t.close();
    }
  });

  it('names an outbox row no relay takes and a job no worker runs (WORKERS=false)', async () => {
    const t = await createTestApp({ imports: [HeldModule], env: { WORKERS: 'false' } });
    try {
      await publish(t);
      await maintenance(t).add('purge', {
        kind: 'purge',
        correlationId: 'settled',
        olderThanHours: 1,
      });
      const failure = settled(t, { timeout: 300 });
      await expect(failure).rejects.toThrow(/platform\.outbox: 1 undispatched/);
      await expect(failure).rejects.toThrow(/queue platform\.messaging-maintenance: 1 waiting/);
    } finally {
      await t.close();
    }
  });

  it('waits for a delayed job due before it would give up, not for one due later, and for `also`', async () => {
    const t = await createTestApp();
    try {
      const data = { kind: 'purge', correlationId: 'settled', olderThanHours: 1 } as const;
      const soon = await maintenance(t).add('purge', data, { delay: 400 });
      const later = await maintenance(t).add('purge', data, { delay: 600_000 });
      await settled(t, { timeout: 5_000 });
      expect(await soon.getState()).toBe('completed');
      expect(await later.getState()).toBe('delayed');
      await later.remove();

      let left = 2;
      const also = { 'test.countdown': async () => (left > 0 ? left-- : 0) };
      await settled(t, { also });
      expect(left).toBe(0);
      await expect(
        settled(t, { timeout: 200, also: { 'test.stuck': async () => 3 } }),
      ).rejects.toThrow(/test\.stuck: 3/);
    } finally {
      await t.close();
    }
  });
});
