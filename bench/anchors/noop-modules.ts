import { Processor, WorkerHost, BullModule } from '@nestjs/bullmq';
import { Injectable, Module } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { IntegrationEvent } from '@app/contracts';
import { Consumes, type IntegrationEventConsumer } from '@app/platform';

/** Bench-only event and consumers: measure the plumbing, not the work. */
export class BenchEvent extends IntegrationEvent<{ n: number }> {
  static override readonly type = 'bench.event';
  static override readonly version = 1;
}

export const counters = { consumed: 0, handled: 0, jobs: 0 };

@Injectable()
@Consumes(BenchEvent, 'bench.noop')
export class NoopConsumer implements IntegrationEventConsumer<BenchEvent> {
  async consume(): Promise<void> {
    counters.consumed++;
  }
}

export class InProcessEvent {
  constructor(readonly n: number) {}
}

@EventsHandler(InProcessEvent)
export class InProcessHandler implements IEventHandler<InProcessEvent> {
  handle(): void {
    counters.handled++;
  }
}

export const NOOP_QUEUE = 'bench.noop-jobs';

@Processor(NOOP_QUEUE, { concurrency: 50 })
@Injectable()
export class NoopProcessor extends WorkerHost {
  async process(): Promise<'done'> {
    counters.jobs++;
    return 'done';
  }
}

@Module({
  imports: [BullModule.registerQueue({ name: NOOP_QUEUE })],
  providers: [NoopConsumer, InProcessHandler, NoopProcessor],
})
export class BenchModule {}
