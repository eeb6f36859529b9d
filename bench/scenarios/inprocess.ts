import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventBus } from '@nestjs/cqrs';
import { loadConfig } from '@app/platform';
import { Queue, Worker } from 'bullmq';
import { EventEmitter } from 'node:events';
import { AppModule } from '../../src/app.module.js';
import { CONTEXTS } from '../../src/contexts.js';
import { BenchModule, counters, InProcessEvent, NOOP_QUEUE } from '../anchors/noop-modules.js';
import { BENCH_SECRETS, clearRedis, dropDatabase, freshDatabase, REDIS_URL, sql } from '../env.js';
import type { Scenario } from '../harness.js';

const DB = 'fb_bench_inproc';
const PREFIX = 'bench:inproc:';

/** A Nest application context in the bench process: the platform's plumbing without HTTP. */
export class InProcessApp {
  ctx!: INestApplicationContext;
  url!: string;

  async start(): Promise<void> {
    this.url = await freshDatabase(DB);
    await clearRedis(PREFIX);
    const config = loadConfig(
      {
        ...BENCH_SECRETS,
        DATABASE_URL: this.url,
        REDIS_PREFIX: PREFIX,
        LOG_LEVEL: 'error',
        CONTEXTS: 'identity',
        OUTBOX_POLL_INTERVAL_MS: '200',
        OUTBOX_BATCH_SIZE: '200',
      },
      CONTEXTS,
    );
    this.ctx = await NestFactory.createApplicationContext(
      AppModule.register(config, { imports: [BenchModule] }),
      { logger: false },
    );
    await this.ctx.init();
  }

  query<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
    return sql(this.url, text, params) as Promise<T[]>;
  }

  async stop(): Promise<void> {
    await this.ctx?.close();
    await dropDatabase(DB);
    await clearRedis(PREFIX);
  }
}

export async function until(check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the run to finish');
    await new Promise((r) => setImmediate(r));
  }
}

/** P9: in-process publish cost at the relay's batch size vs Node's EventEmitter. */
export function p9(app: InProcessApp): Scenario {
  const batch = 200;
  const run = async (
    quick: boolean,
    publish: (events: InProcessEvent[]) => void,
    count: () => number,
  ) => {
    const iterations = quick ? 100 : 2500;
    const events = Array.from({ length: batch }, (_, i) => new InProcessEvent(i));
    // Like the relay: publish a batch, wait for it to be handled, then the next one. Always yield
    // at least once: handlers here count synchronously, but the bus settles each dispatch in a
    // promise, and never yielding would pile every dispatch of the run up in flight at once (the
    // bus's bookkeeping is linear in that pile, so the run would measure the pile, not the bus).
    let elapsed = 0n;
    for (let i = 0; i < iterations; i++) {
      const before = count();
      const t0 = process.hrtime.bigint();
      publish(events);
      do await new Promise((r) => setImmediate(r));
      while (count() - before < batch);
      elapsed += process.hrtime.bigint() - t0;
    }
    return { value: Number(elapsed) / (iterations * batch) };
  };
  return {
    id: 'P9',
    title: `in-process publish, batches of ${batch}`,
    unit: 'ns/event',
    better: 'lower',
    model: 'micro',
    target: 0,
    absoluteTarget: { op: '<=', value: 2000 },
    anchor: {
      label: 'EventEmitter.emit',
      run: (quick) => {
        const emitter = new EventEmitter();
        let n = 0;
        emitter.on('e', () => n++);
        return run(
          quick,
          (events) => events.forEach((e) => emitter.emit('e', e)),
          () => n,
        );
      },
    },
    app: {
      label: 'CQRS EventBus.publishAll',
      run: (quick) => {
        const bus = app.ctx.get(EventBus);
        return run(
          quick,
          (events) => bus.publishAll(events),
          () => counters.handled,
        );
      },
    },
  };
}

/** P6: no-op jobs through the project's BullMQ processor plumbing vs a raw BullMQ Worker. */
export function p6(app: InProcessApp): Scenario {
  let raw: { queue: Queue; worker: Worker; done: number } | undefined;
  const jobs = (quick: boolean) => (quick ? 300 : 5000);
  return {
    id: 'P6',
    title: 'no-op jobs',
    unit: 'jobs/s',
    better: 'higher',
    model: 'closed',
    target: 0.7,
    setup: async () => {
      const connection = { url: REDIS_URL };
      const state = { done: 0 };
      const worker = new Worker('bench.raw-jobs', async () => void state.done++, {
        connection,
        prefix: `${PREFIX}raw`,
        concurrency: 50,
      });
      raw = Object.assign(state, {
        queue: new Queue('bench.raw-jobs', { connection, prefix: `${PREFIX}raw` }),
        worker,
      });
    },
    teardown: async () => {
      await raw?.worker.close();
      await raw?.queue.close();
    },
    anchor: {
      label: 'raw BullMQ Worker',
      run: async (quick) => {
        const n = jobs(quick);
        const start = raw!.done;
        const t0 = Date.now();
        await raw!.queue.addBulk(
          Array.from({ length: n }, (_, i) => ({
            name: 'noop',
            data: { i },
            opts: { removeOnComplete: true },
          })),
        );
        await until(() => raw!.done - start >= n);
        return { value: (n * 1000) / (Date.now() - t0) };
      },
    },
    app: {
      label: '@Processor (platform BullModule)',
      run: async (quick) => {
        const n = jobs(quick);
        const queue = app.ctx.get<Queue>(getQueueToken(NOOP_QUEUE));
        const start = counters.jobs;
        const t0 = Date.now();
        await queue.addBulk(
          Array.from({ length: n }, (_, i) => ({
            name: 'noop',
            data: { kind: 'noop', correlationId: 'bench', i },
            opts: { removeOnComplete: true },
          })),
        );
        await until(() => counters.jobs - start >= n);
        return { value: (n * 1000) / (Date.now() - t0) };
      },
    },
  };
}
