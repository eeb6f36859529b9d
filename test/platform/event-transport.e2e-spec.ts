import { Injectable, Module } from '@nestjs/common';
import { IntegrationEvent } from '@app/contracts';
import { Consumes, Transactions, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { createTestApp, eventually, settled, type TestApp } from '@app/testing';
import amqp from 'amqplib';
import { randomBytes } from 'node:crypto';

class ParcelShipped extends IntegrationEvent<{ parcel: string }> {
  static override readonly type = 'test.parcel-shipped';
  static override readonly version = 1;
}

@Injectable()
@Consumes(ParcelShipped, 'test.track-parcel')
class TrackParcel implements IntegrationEventConsumer<ParcelShipped> {
  async consume(event: ParcelShipped, tx: Tx) {
    await tx.manager.query(`INSERT INTO test_probe.parcels (event_id, parcel) VALUES ($1, $2)`, [
      event.metadata!.id,
      event.payload.parcel,
    ]);
  }
}

@Module({ providers: [TrackParcel] })
class TrackingModule {}

const ship = (t: TestApp, parcel: string) =>
  t.resolve(Transactions).run((tx) => tx.publish(new ParcelShipped({ parcel })));
const tracked = async (t: TestApp, parcel: string) =>
  (
    await t.dataSource.query(
      `SELECT count(*)::int AS n FROM test_probe.parcels WHERE parcel = $1`,
      [parcel],
    )
  )[0].n as number;

/**
 * Two services with their own databases: "shipping" publishes, "tracking" consumes, and the
 * only thing between them is the broker.
 */
describe.each(['rmq', 'nats', 'redis'] as const)(
  'EVENT_TRANSPORT=%s: a consumer in another service, own database',
  (transport) => {
    const service = `tracking-${randomBytes(4).toString('hex')}`;
    let shipping: TestApp;
    let tracking: TestApp;

    const startTracking = async (database?: TestApp['database']) => {
      const app = await createTestApp({
        imports: [TrackingModule],
        database,
        env: { EVENT_TRANSPORT: transport, SERVICE_NAME: service },
      });
      if (!database)
        await app.dataSource.query(
          `CREATE SCHEMA test_probe; CREATE TABLE test_probe.parcels (event_id uuid, parcel text)`,
        );
      return app;
    };

    beforeAll(async () => {
      tracking = await startTracking();
      shipping = await createTestApp({
        env: { EVENT_TRANSPORT: transport, SERVICE_NAME: `shipping-${service}` },
      });
    });
    afterAll(async () => {
      await shipping.close();
      await tracking.close();
      await tracking.database.drop(); // also when the app was restarted on it
      if (transport === 'rmq') {
        const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
        const channel = await conn.createChannel();
        await channel.deleteQueue(`events.${service}`);
        await conn.close();
      }
    });

    it('delivers an event committed in one service to a consumer in the other, once', async () => {
      await ship(shipping, `p-${transport}-1`);
      await eventually(async () => expect(await tracked(tracking, `p-${transport}-1`)).toBe(1));
      await Promise.all([settled(shipping), settled(tracking)]);
      expect(await tracked(tracking, `p-${transport}-1`)).toBe(1);
      // Nothing is consumed in the publisher's own database.
      const [{ n }] = await shipping.dataSource.query(
        `SELECT count(*)::int AS n FROM platform.inbox`,
      );
      expect(n).toBe(0);
      const [row] = await tracking.dataSource.query(
        `SELECT status, envelope->>'type' AS type FROM platform.inbox WHERE consumer = 'test.track-parcel'`,
      );
      expect(row).toEqual({ status: 'done', type: 'test.parcel-shipped' });
    });

    it('keeps the outbox row until the broker takes it', async () => {
      await ship(shipping, `p-${transport}-2`);
      await eventually(async () => {
        const [row] = await shipping.dataSource.query(
          `SELECT dispatched_at FROM platform.outbox WHERE payload->>'parcel' = $1`,
          [`p-${transport}-2`],
        );
        expect(row.dispatched_at).not.toBeNull();
      });
      await eventually(async () => expect(await tracked(tracking, `p-${transport}-2`)).toBe(1));
      await Promise.all([settled(shipping), settled(tracking)]);
      expect(await tracked(tracking, `p-${transport}-2`)).toBe(1);
    });

    if (transport === 'rmq') {
      it('holds events for a consumer that is down and delivers them when it is back (durable queue)', async () => {
        const database = tracking.database;
        await tracking.app.close();
        await ship(shipping, 'p-while-down');
        // The broker has it (the relay marks the row dispatched only once the broker took it)
        // while its only consumer is down.
        await eventually(async () => {
          const [row] = await shipping.dataSource.query(
            `SELECT dispatched_at FROM platform.outbox WHERE payload->>'parcel' = 'p-while-down'`,
          );
          expect(row.dispatched_at).not.toBeNull();
        });
        tracking = await startTracking(database);
        await eventually(async () => expect(await tracked(tracking, 'p-while-down')).toBe(1));
        await Promise.all([settled(shipping), settled(tracking)]);
        expect(await tracked(tracking, 'p-while-down')).toBe(1);
      });
    }
  },
);
