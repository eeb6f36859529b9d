import { createTestApp, type TestApp } from '@app/testing';

/** Bull Board at /admin/queues: admins only (bearer header or access_token cookie). */
describe('observability: the queue board', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('answers 401 without a token and 403 to a customer', async () => {
    const anonymous = await t.get('/admin/queues');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    expect(anonymous.json()).toMatchObject({ status: 401, code: 'platform.unauthorized' });
    const customer = await t.newUser();
    const forbidden = await t.get('/admin/queues/api/queues', { token: customer.accessToken });
    expect(forbidden.statusCode).toBe(403);
  });

  it('shows every queue to an admin, by header or cookie', async () => {
    const admin = await t.newUser({ roles: ['customer', 'admin'] });
    const page = await t.get('/admin/queues', { token: admin.accessToken });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const api = await t.get('/admin/queues/api/queues', {
      headers: { cookie: `access_token=${admin.accessToken}` },
    });
    expect(api.statusCode).toBe(200);
    const names = (api.json() as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(
      expect.arrayContaining(['platform.messaging-maintenance', 'notifications.deliver']),
    );
  });
});
