import { randomUUID } from 'node:crypto';
import type { TestApp, TestUser } from './test-app.js';

/**
 * The streaming part of the reliability fixtures (api-fixtures.ts): the world's platform-wide
 * plan, and per customer a private video (UPLOADING: nobody else may see or touch it), an
 * unfinished tus upload (for a second video), and a subscription to the world's plan.
 */
export interface StreamingCustomer {
  videos: string[];
  uploads: string[];
  subscriptions: string[];
}

function expectStatus(what: string, res: { statusCode: number; body: string }, ...ok: number[]) {
  if (!ok.includes(res.statusCode)) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
}

/** The admin's channel plan, which every customer subscribes to. */
export async function streamingPlan(t: TestApp, admin: TestUser): Promise<string> {
  const res = await t.post(
    '/v1/streaming/plans',
    { name: 'Fixture supporters', monthlyPrice: 499, currency: 'EUR' },
    { token: admin.accessToken },
  );
  expectStatus('create plan', res, 201);
  return res.json().id as string;
}

export async function streamingCustomer(
  t: TestApp,
  user: TestUser,
  planId: string,
  cardToken: string,
): Promise<StreamingCustomer> {
  const auth = { token: user.accessToken };
  const video = await t.post(
    '/v1/streaming/videos',
    { title: 'Fixture video', tags: ['fixture'], visibility: 'private' },
    auth,
  );
  expectStatus('create video', video, 201);
  const videoId = video.json().id as string;
  // The upload is for a second video: deleting the first (a DELETE control) leaves it alone.
  const second = await t.post('/v1/streaming/videos', { title: 'Fixture upload' }, auth);
  expectStatus('create video', second, 201);
  const upload = await t.app.inject({
    method: 'POST',
    url: '/v1/streaming/uploads',
    headers: {
      authorization: `Bearer ${user.accessToken}`,
      'tus-resumable': '1.0.0',
      'upload-length': '1000',
      'upload-metadata': `videoId ${Buffer.from(second.json().id as string).toString('base64')}`,
    },
  });
  expectStatus('create tus upload', upload, 201);
  const uploadId = String(upload.headers.location).split('/').pop()!;
  const subscription = await t.post(
    '/v1/streaming/subscriptions',
    { planId, cardToken },
    { ...auth, headers: { 'idempotency-key': randomUUID() } },
  );
  expectStatus('subscribe', subscription, 202);
  return {
    videos: [videoId],
    uploads: [uploadId],
    subscriptions: [subscription.json().id as string],
  };
}
