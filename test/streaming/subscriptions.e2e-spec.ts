import { createTestApp, eventually, type TestApp, type TestUser } from '@app/testing';
import { v7 as uuidv7 } from 'uuid';
import { SANDBOX_CARDS } from '../../src/payments/processor/sandbox-processor.js';
import { VideoAccess } from '../../src/streaming/content/video-access.js';
import type { VideoRow } from '../../src/streaming/content/video.entity.js';
import { Entitlements } from '../../src/streaming/subscriptions/entitlements.js';
import { SubscriptionClock } from '../../src/streaming/subscriptions/subscription-clock.js';
import { SubscriptionRenewals } from '../../src/streaming/subscriptions/subscription-renewals.js';
import { settledWithSagas, vaultCard } from '../payments/helpers.js';
import { insertVideo } from './video-rows.js';

interface Sub {
  id: string;
  status: string;
  currentPeriodEnd: string | null;
  graceUntil: string | null;
  cancelAtPeriodEnd: boolean;
  failureReason: string | null;
  charges: { id: string; status: string; attempts: number }[];
}

describe('streaming: subscriptions (plans, subscribe through payments, renewal, grace, cancel)', () => {
  let t: TestApp;
  let channel: TestUser;
  let other: TestUser;
  let planId: string;
  let video: VideoRow;
  let clock: SubscriptionClock;
  let renewals: SubscriptionRenewals;

  const HOUR = 3_600_000;
  const auth = (u: TestUser) => ({ token: u.accessToken });
  const subscribe = (u: TestUser, body: object, key = uuidv7()) =>
    t.request('POST', '/v1/streaming/subscriptions', body, {
      ...auth(u),
      headers: { 'idempotency-key': key },
    });
  const getSub = async (u: TestUser, id: string): Promise<Sub> =>
    (await t.get(`/v1/streaming/subscriptions/${id}`, auth(u))).json();
  const until = (u: TestUser, id: string, status: string) =>
    eventually(async () => expect((await getSub(u, id)).status).toBe(status));
  /** Subscription payment sagas of one subscription, by state. */
  const sagas = async (subscriptionId: string) =>
    (
      await t.dataSource.query(
        `SELECT state, business_key FROM payments.sagas
          WHERE kind = 'subscription_payment' AND data->>'subscriptionId' = $1 ORDER BY created_at`,
        [subscriptionId],
      )
    ).map((r: { state: string }) => r.state);
  const plays = (u: TestUser | undefined) =>
    t.resolve(VideoAccess).plays(video, u ? { userId: u.id, roles: ['customer'] } : undefined);
  /** A viewer with a good card, subscribed and ACTIVE. */
  async function activeSubscriber(): Promise<{ user: TestUser; sub: Sub }> {
    const user = await t.newUser();
    const card = await vaultCard(t, user, SANDBOX_CARDS.success);
    const res = await subscribe(user, { planId, cardToken: card.token });
    expect(res.statusCode).toBe(202);
    const { id } = res.json() as Sub;
    await until(user, id, 'ACTIVE');
    await settledWithSagas(t);
    return { user, sub: await getSub(user, id) };
  }
  /** Moves the subscriptions clock to `at`. */
  const travelTo = (at: number) => clock.travel(at - clock.now().getTime());

  beforeAll(async () => {
    t = await createTestApp({
      env: { PAYMENTS_POLL_INTERVAL_MS: '50', STREAMING_SUBSCRIPTION_RENEWAL_EVERY_MS: '3600000' },
    });
    [channel, other] = await Promise.all([t.newUser(), t.newUser()]);
    clock = t.resolve(SubscriptionClock);
    renewals = t.resolve(SubscriptionRenewals);
    const res = await t.post(
      '/v1/streaming/plans',
      { name: 'Supporter', monthlyPrice: 499, currency: 'eur' },
      auth(channel),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ channelId: channel.id, monthlyPrice: 499, currency: 'EUR' });
    planId = res.json().id;
    const videoId = await insertVideo(t, { channelId: channel.id, visibility: 'subscribers' });
    [video] = await t.dataSource.query(`SELECT * FROM streaming.videos WHERE id = $1`, [videoId]);
  });
  afterAll(() => t.close());

  it('refuses bad plans and subscriptions with 4xx naming the problem', async () => {
    const bad = await t.post(
      '/v1/streaming/plans',
      { name: 'Half', monthlyPrice: 4.5, currency: 'EUR' },
      auth(channel),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('monthlyPrice');
    const foreign = await t.post(
      '/v1/streaming/plans',
      { name: 'Mine now', monthlyPrice: 100, currency: 'EUR', channelId: channel.id },
      auth(other),
    );
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('streaming.not_your_channel');
    const platform = await t.post(
      '/v1/streaming/plans',
      { name: 'All', monthlyPrice: 100, currency: 'EUR', channelId: null },
      auth(other),
    );
    expect(platform.statusCode).toBe(403);
    const card = await vaultCard(t, other, SANDBOX_CARDS.success);
    const unknown = await subscribe(other, { planId: uuidv7(), cardToken: card.token });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('streaming.plan_not_found');
    expect((await t.get(`/v1/streaming/plans/${uuidv7()}`)).statusCode).toBe(404);
    const plans = await t.get(`/v1/streaming/channels/${channel.id}/plans`);
    expect(plans.json().items.map((p: { id: string }) => p.id)).toEqual([planId]);
  });

  it('subscribes with a good card: ACTIVE after exactly one payment, subscriber videos play for them only', async () => {
    expect(await plays(other)).toBe(false);
    const user = await t.newUser();
    const card = await vaultCard(t, user, SANDBOX_CARDS.success);
    const key = uuidv7();
    const res = await subscribe(user, { planId, cardToken: card.token }, key);
    expect(res.statusCode).toBe(202);
    const pending = res.json() as Sub;
    expect(pending.status).toBe('PENDING');
    // The same key answers the same subscription; a second live one to the plan is refused.
    expect((await subscribe(user, { planId, cardToken: card.token }, key)).json().id).toBe(
      pending.id,
    );
    await until(user, pending.id, 'ACTIVE');
    const again = await subscribe(user, { planId, cardToken: card.token });
    expect(again.statusCode).toBe(409);
    await settledWithSagas(t);
    const sub = await getSub(user, pending.id);
    expect(sub.charges).toEqual([expect.objectContaining({ status: 'PAID', attempts: 1 })]);
    expect(await sagas(sub.id)).toEqual(['COMPLETED']);
    const days = (Date.parse(sub.currentPeriodEnd!) - Date.now()) / (24 * HOUR);
    expect(days).toBeGreaterThan(27);
    expect(days).toBeLessThan(32);
    expect(await plays(user)).toBe(true);
    expect(await plays(other)).toBe(false);
    expect(await plays(undefined)).toBe(false);
  });

  it('charges each period exactly once even when the renewal job runs twice at once', async () => {
    const { user, sub } = await activeSubscriber();
    const end = Date.parse(sub.currentPeriodEnd!);
    const at = new Date(end - 30 * 60_000);
    // Three overlapping runs (other subscribers may be due too: only this one is counted).
    await Promise.all([renewals.run(at), renewals.run(at), renewals.run(at)]);
    await settledWithSagas(t);
    expect(await renewals.run(at)).toMatchObject({ renewed: 0 });
    await settledWithSagas(t);
    const renewed = await getSub(user, sub.id);
    expect(renewed.status).toBe('ACTIVE');
    expect(renewed.charges.map((c) => c.status)).toEqual(['PAID', 'PAID']);
    expect(await sagas(sub.id)).toEqual(['COMPLETED', 'COMPLETED']);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM platform.outbox
        WHERE type = 'streaming.subscription-requested' AND payload->>'subscriptionId' = $1`,
      [sub.id],
    );
    expect(n).toBe(2);
    const next = Date.parse(renewed.currentPeriodEnd!);
    expect((next - end) / (24 * HOUR)).toBeGreaterThan(27);
  });

  it('a declined renewal is PAST_DUE and entitled in grace, retried, then LAPSED and not entitled', async () => {
    const { user, sub } = await activeSubscriber();
    const declining = await vaultCard(t, user, SANDBOX_CARDS.declined);
    const patch = await t.request(
      'PATCH',
      `/v1/streaming/subscriptions/${sub.id}`,
      { cardToken: declining.token },
      auth(user),
    );
    expect(patch.statusCode).toBe(200);
    const entitled = (at: number) =>
      t.resolve(Entitlements).active(user.id, channel.id, new Date(at));
    const end = Date.parse(sub.currentPeriodEnd!);
    travelTo(end - 30 * 60_000);
    expect(await renewals.run()).toMatchObject({ renewed: 1 });
    await settledWithSagas(t);
    let s = await getSub(user, sub.id);
    expect(s.status).toBe('PAST_DUE');
    expect(s.failureReason).toBe('card_declined');
    expect(Date.parse(s.graceUntil!)).toBe(end + 72 * HOUR);
    expect(s.charges[0]).toMatchObject({ status: 'RETRY', attempts: 1 });
    expect(await entitled(end + HOUR)).toBe(true);
    expect(await entitled(end + 73 * HOUR)).toBe(false);
    // Not due yet: nothing is sent.
    expect(await renewals.run()).toMatchObject({ retried: 0 });
    travelTo(end + 25 * HOUR);
    expect(await renewals.run()).toMatchObject({ retried: 1 });
    await settledWithSagas(t);
    s = await getSub(user, sub.id);
    expect(s.status).toBe('PAST_DUE');
    expect(s.charges[0]).toMatchObject({ status: 'RETRY', attempts: 2 });
    travelTo(end + 50 * HOUR);
    expect(await renewals.run()).toMatchObject({ retried: 1 });
    await settledWithSagas(t);
    s = await getSub(user, sub.id);
    expect(s.status).toBe('LAPSED');
    expect(s.charges[0]).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(await sagas(sub.id)).toEqual(['COMPLETED', 'FAILED', 'FAILED', 'FAILED']);
    expect(await entitled(clock.now().getTime())).toBe(false);
    expect(await renewals.run()).toEqual({ renewed: 0, retried: 0, canceled: 0, lapsed: 0 });
  });

  it('cancel: entitled until the period end, never charged again, then CANCELED', async () => {
    const { user, sub } = await activeSubscriber();
    const del = await t.request(
      'DELETE',
      `/v1/streaming/subscriptions/${sub.id}`,
      undefined,
      auth(user),
    );
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: true });
    const end = Date.parse(sub.currentPeriodEnd!);
    travelTo(end - 30 * 60_000);
    await renewals.run();
    await settledWithSagas(t);
    expect(await t.resolve(Entitlements).active(user.id, channel.id)).toBe(true);
    travelTo(end + 60_000);
    expect((await renewals.run()).canceled).toBeGreaterThanOrEqual(1);
    await settledWithSagas(t);
    const s = await getSub(user, sub.id);
    expect(s.status).toBe('CANCELED');
    expect(s.charges).toHaveLength(1);
    expect(await sagas(sub.id)).toEqual(['COMPLETED']);
    expect(await t.resolve(Entitlements).active(user.id, channel.id)).toBe(false);
    const list = await t.get('/v1/streaming/subscriptions', auth(user));
    expect(list.json().items.map((i: Sub) => i.status)).toEqual(['CANCELED']);
  });
});
