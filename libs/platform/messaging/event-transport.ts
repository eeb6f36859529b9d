import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import {
  ClientNats,
  ClientRedis,
  ClientRMQ,
  RmqContext,
  ServerNats,
  ServerRedis,
  ServerRMQ,
} from '@nestjs/microservices';
import type { EventEnvelope } from '@app/contracts';
import { lastValueFrom } from 'rxjs';
import { AppConfig } from '../config/app-config.js';
import { Inbox } from './inbox.js';

type EventClient = ClientRMQ | ClientNats | ClientRedis;
type EventServer = ServerRMQ | ServerNats | ServerRedis;

/** The topic exchange every process publishes integration events to (RabbitMQ). */
export const EVENTS_EXCHANGE = 'five-businesses.events';

function redisOptions(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Carries integration events between processes over a `@nestjs/microservices` transport when
 * EVENT_TRANSPORT is set — the step that lets a context move into its own service with its own
 * database, unchanged.
 *
 * - Publishing: the relay hands every claimed batch to `publish` inside its claim transaction,
 *   so a broker that refuses leaves the events in the outbox for the next attempt (at least once).
 * - Consuming: the process subscribes to the event types its consumers handle; each message goes
 *   through `Inbox.receive` (pending row per consumer, then delivery), so broker redeliveries and
 *   duplicates are no-ops, exactly as for in-process events.
 *
 * Delivery guarantees follow the broker: RabbitMQ (durable queue per SERVICE_NAME, manual ack
 * after the inbox has the event) survives a consumer being down; NATS core and Redis pub/sub only
 * reach subscribers that are connected at the time.
 */
@Injectable()
export class EventTransport
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(EventTransport.name);
  private client?: EventClient;
  private server?: EventServer;

  constructor(
    private readonly config: AppConfig,
    private readonly inbox: Inbox,
  ) {}

  get enabled(): boolean {
    return this.config.EVENT_TRANSPORT !== 'none';
  }

  /** Publishes envelopes to the broker; resolves once the broker has taken them all. */
  async publish(envelopes: EventEnvelope[]): Promise<void> {
    if (!this.enabled || envelopes.length === 0) return;
    const client = this.clientProxy();
    // Bounded: a broker that is down must not hold the relay's claim transaction open; the batch
    // rolls back and is retried.
    const sent = Promise.all(
      envelopes.map((e) => lastValueFrom(client.emit(e.type, e), { defaultValue: undefined })),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('broker did not accept the events in time')), 5000);
    });
    try {
      await Promise.race([sent, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    await this.clientProxy().connect();
    const types = this.inbox.consumedTypes;
    if (!this.config.WORKERS || types.length === 0) return;
    const server = this.createServer();
    for (const type of types) {
      server.addHandler(
        type,
        async (envelope: EventEnvelope, ctx?: unknown) => {
          const rmq = ctx instanceof RmqContext ? ctx : undefined;
          try {
            await this.inbox.receive(envelope);
            rmq?.getChannelRef().ack(rmq.getMessage());
          } catch (err) {
            // Not in our inbox yet: give it back to the broker for another try.
            rmq?.getChannelRef().nack(rmq.getMessage(), false, true);
            throw err;
          }
        },
        true,
      );
    }
    await new Promise<void>((resolve, reject) => {
      void server.listen((err?: unknown) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
      );
    });
    this.server = server;
    this.logger.log(
      { transport: this.config.EVENT_TRANSPORT, service: this.config.serviceName, types },
      'consuming integration events from the broker',
    );
  }

  /** Stop taking events from the broker first… */
  async beforeApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }

  /** …and stop publishing only after the relay has stopped (it stops before shutdown). */
  async onApplicationShutdown(): Promise<void> {
    await this.client?.close();
  }

  private clientProxy(): EventClient {
    if (this.client) return this.client;
    const url = this.config.brokerUrl;
    switch (this.config.EVENT_TRANSPORT) {
      case 'rmq':
        this.client = new ClientRMQ({
          urls: [url],
          exchange: EVENTS_EXCHANGE,
          exchangeType: 'topic',
          wildcards: true,
          persistent: true,
        });
        break;
      case 'nats':
        this.client = new ClientNats({ servers: [url] });
        break;
      case 'redis':
        this.client = new ClientRedis(redisOptions(url));
        break;
      case 'none':
        throw new Error('EVENT_TRANSPORT is none');
    }
    return this.client;
  }

  private createServer(): EventServer {
    const url = this.config.brokerUrl;
    const service = this.config.serviceName;
    switch (this.config.EVENT_TRANSPORT) {
      case 'rmq':
        return new ServerRMQ({
          urls: [url],
          queue: `events.${service}`,
          queueOptions: { durable: true },
          exchange: EVENTS_EXCHANGE,
          exchangeType: 'topic',
          wildcards: true,
          noAck: false,
          prefetchCount: this.config.OUTBOX_BATCH_SIZE,
        });
      case 'nats':
        return new ServerNats({ servers: [url], queue: service });
      case 'redis':
        return new ServerRedis(redisOptions(url));
      case 'none':
        throw new Error('EVENT_TRANSPORT is none');
    }
  }
}
