import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { MAINTENANCE_QUEUE, queueName, type MaintenanceJob } from '@app/platform';
import { createTestApp, eventually, type TestApp } from '@app/testing';

async function seedMessagingRows(t: TestApp) {
  // 3 days: older than the 24 h this test purges, younger than the 7-day retention the
  // hourly scheduled purge (which runs once at start) uses, so only this test's job removes them.
  const old = "now() - interval '3 days'";
  const ids = { oldOutbox: uuidv7(), newOutbox: uuidv7(), oldDone: uuidv7(), oldParked: uuidv7() };
  for (const [id, at] of [
    [ids.oldOutbox, old],
    [ids.newOutbox, 'now()'],
  ] as const) {
    await t.dataSource.query(
      `INSERT INTO platform.outbox (id, type, version, occurred_at, correlation_id, causation_id, payload, created_at, dispatched_at)
       VALUES ($1, 't.x', 1, ${at}, 'c', 'c', '{}', ${at}, ${at})`,
      [id],
    );
  }
  for (const [id, status] of [
    [ids.oldDone, 'done'],
    [ids.oldParked, 'parked'],
  ] as const) {
    await t.dataSource.query(
      `INSERT INTO platform.inbox (event_id, consumer, event_type, event_version, envelope, status, updated_at)
       VALUES ($1, 'test.x', 't.x', 1, '{}', $2, ${old})`,
      [id, status],
    );
  }
  return ids;
}

describe('jobs (BullMQ)', () => {
  it('names queues <context>.<job> and rejects other shapes', () => {
    expect(MAINTENANCE_QUEUE).toBe('platform.messaging-maintenance');
    expect(queueName('streaming', 'encode')).toBe('streaming.encode');
    expect(() => queueName('streaming', 'Encode Video')).toThrow(/kebab-case/);
  });

  describe('with workers in the process (default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('schedules the hourly purge once, under a fixed id', async () => {
      const queue = t.resolve<Queue>(getQueueToken(MAINTENANCE_QUEUE) as never);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toEqual(['purge-hourly']);
      expect(queue.opts.prefix).toBe(`${t.redisPrefix}bull`);
    });

    it('purges old dispatched outbox rows and finished inbox rows, never parked ones', async () => {
      const ids = await seedMessagingRows(t);
      const queue = t.resolve<Queue<MaintenanceJob>>(getQueueToken(MAINTENANCE_QUEUE) as never);
      const job = await queue.add(
        'purge',
        { kind: 'purge', correlationId: 'test', olderThanHours: 24 },
        { jobId: 'purge-test-1' },
      );
      await eventually(async () => expect(await job.isCompleted()).toBe(true));
      expect((await queue.getJob('purge-test-1'))?.returnvalue).toBe('done');
      const outbox = await t.dataSource.query(`SELECT id FROM platform.outbox WHERE id = ANY($1)`, [
        [ids.oldOutbox, ids.newOutbox],
      ]);
      expect(outbox.map((r: { id: string }) => r.id)).toEqual([ids.newOutbox]);
      const inbox = await t.dataSource.query(
        `SELECT event_id FROM platform.inbox WHERE event_id = ANY($1)`,
        [[ids.oldDone, ids.oldParked]],
      );
      expect(inbox.map((r: { event_id: string }) => r.event_id)).toEqual([ids.oldParked]);
    });
  });

  describe('with WORKERS=false (an API-only process)', () => {
    it('enqueues but runs nothing', async () => {
      const t = await createTestApp({ env: { WORKERS: 'false' } });
      try {
        const queue = t.resolve<Queue<MaintenanceJob>>(getQueueToken(MAINTENANCE_QUEUE) as never);
        const job = await queue.add('purge', {
          kind: 'purge',
          correlationId: 'test',
          olderThanHours: 24,
        });
        await new Promise((r) => setTimeout(r, 300));
        expect(await job.getState()).toBe('waiting');
        expect(await queue.getJobSchedulers()).toEqual([]);
      } finally {
        await t.close();
      }
    });
  });
});
