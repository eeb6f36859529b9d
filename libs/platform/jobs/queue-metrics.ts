import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Metrics } from '../observability/metrics.js';

/** Reports every registered BullMQ queue's job counts as `five_queue_depth{queue,state}` on scrape. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const queues = this.discovery
      .getProviders()
      .map((w) => w.instance as unknown)
      .filter((i): i is Queue => i instanceof Queue);
    this.metrics.onScrape(async () => {
      for (const q of new Set(queues)) {
        const counts = await q.getJobCounts(
          'waiting',
          'active',
          'delayed',
          'failed',
          'prioritized',
        );
        for (const [state, n] of Object.entries(counts))
          this.metrics.queueDepth.set({ queue: q.name, state }, n);
      }
    });
  }
}
