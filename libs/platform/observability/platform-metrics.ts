import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { WorkerHost } from '@nestjs/bullmq';
import type { Job, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { timePgQueries } from './io-timing.js';
import { Metrics } from './metrics.js';

/**
 * The operational gauges read on scrape (inbox backlog and age per consumer, parked deliveries,
 * undispatched outbox rows, pg pool, event-loop utilisation), BullMQ job duration and outcome
 * counters from the workers' events, 429 / idempotent-replay counts from every response, and
 * it starts the pg pool's per-query timing (io-timing.ts). The SQL runs once per scrape.
 */
@Injectable()
export class PlatformMetrics implements OnModuleInit, OnApplicationBootstrap {
  private elu: EventLoopUtilization = performance.eventLoopUtilization();

  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly adapterHost: HttpAdapterHost,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const { metrics } = this;
    metrics.info.set({ contexts: [...this.config.CONTEXTS].join(',') }, 1);
    const pool = this.pool();
    if (pool) timePgQueries(pool, metrics.pgQueryDuration);
    metrics.onScrape(() => this.readMessaging());
    metrics.onScrape(async () => this.readPool());
    metrics.onScrape(async () => {
      const now = performance.eventLoopUtilization();
      metrics.eventLoopUtilization.set(performance.eventLoopUtilization(now, this.elu).utilization);
      this.elu = now;
    });
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (fastify && typeof fastify.addHook === 'function') {
      fastify.addHook('onResponse', (_request, reply, done) => {
        if (reply.statusCode === 429) metrics.rateLimited.inc();
        else if (reply.getHeader('idempotent-replayed') === 'true') metrics.idempotentReplays.inc();
        done();
      });
    }
  }

  /** Workers exist once @nestjs/bullmq has started them (bootstrap), in WORKERS processes only. */
  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const host = wrapper.instance as unknown;
      if (!(host instanceof WorkerHost)) continue;
      let worker: Worker | undefined;
      try {
        worker = host.worker;
      } catch {
        continue; // not started here (WORKERS=false)
      }
      if (worker) this.watch(worker);
    }
  }

  private watch(worker: Worker): void {
    const queue = worker.name;
    const seconds = (job: Job) =>
      job.processedOn && job.finishedOn ? (job.finishedOn - job.processedOn) / 1000 : undefined;
    worker.on('completed', (job) => {
      this.metrics.jobsCompleted.inc({ queue });
      const s = seconds(job);
      if (s !== undefined) this.metrics.jobDuration.observe({ queue, outcome: 'completed' }, s);
    });
    worker.on('failed', (job) => {
      this.metrics.jobsFailed.inc({ queue });
      const s = job ? seconds(job) : undefined;
      if (s !== undefined) this.metrics.jobDuration.observe({ queue, outcome: 'failed' }, s);
    });
  }

  private async readMessaging(): Promise<void> {
    const rows: { consumer: string; status: string; n: number; age: number }[] =
      await this.dataSource.query(
        `SELECT consumer, status, count(*)::int AS n,
                COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS age
           FROM platform.inbox WHERE status IN ('pending', 'parked')
          GROUP BY consumer, status`,
      );
    const [outbox] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM platform.outbox WHERE dispatched_at IS NULL`,
    );
    const consumers: { name: string }[] = await this.dataSource.query(
      `SELECT name FROM platform.consumers`,
    );
    const { inboxBacklog, inboxOldestPending, deliveriesParked } = this.metrics;
    inboxBacklog.reset();
    inboxOldestPending.reset();
    deliveriesParked.reset();
    // Every known consumer gets a series (0 when idle), so alerts and panels never see a gap.
    for (const { name } of consumers) {
      inboxBacklog.set({ consumer: name }, 0);
      inboxOldestPending.set({ consumer: name }, 0);
      deliveriesParked.set({ consumer: name }, 0);
    }
    for (const r of rows) {
      if (r.status === 'pending') {
        inboxBacklog.set({ consumer: r.consumer }, r.n);
        inboxOldestPending.set({ consumer: r.consumer }, r.age);
      } else {
        deliveriesParked.set({ consumer: r.consumer }, r.n);
      }
    }
    this.metrics.outboxUndispatched.set(Number(outbox?.n ?? 0));
  }

  /** TypeORM's pg pool (the postgres driver's `master`). */
  private pool(): Pool | undefined {
    return (this.dataSource.driver as unknown as { master?: Pool }).master;
  }

  private readPool(): void {
    const pool = this.pool();
    if (!pool) return;
    this.metrics.pgPool.set({ state: 'total' }, pool.totalCount);
    this.metrics.pgPool.set({ state: 'idle' }, pool.idleCount);
    this.metrics.pgPool.set({ state: 'waiting' }, pool.waitingCount);
  }
}
