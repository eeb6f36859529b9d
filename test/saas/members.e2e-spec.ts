import { createTestApp, eventually, type TestApp } from '@app/testing';
import { newProject, newTenant, switchInto } from './helpers.js';

describe('saas: members, invitations, suspension and rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('invites by email, notifies the invitee, and lets only them join with the invited role', async () => {
    const a = await newTenant(t);
    const invitee = await t.newUser();
    const stranger = await t.newUser();
    // saas learns emails from identity's events.
    await eventually(async () => {
      const [row] = await t.dataSource.query(`SELECT 1 FROM saas.users WHERE user_id = $1`, [
        invitee.id,
      ]);
      expect(row).toBeDefined();
    });
    const sent = await t.post(
      '/v1/saas/invitations',
      { email: invitee.email, role: 'member' },
      { token: a.token },
    );
    expect(sent.statusCode).toBe(201);
    const again = await t.post(
      '/v1/saas/invitations',
      { email: invitee.email, role: 'admin' },
      { token: a.token },
    );
    expect(again.json().code).toBe('saas.invitation_pending');
    const id = sent.json().id as string;
    await eventually(async () => {
      const inbox = await t.get('/v1/notifications?limit=20', { token: invitee.accessToken });
      expect(JSON.stringify(inbox.json().items)).toContain(`Tenant ${a.slug}`);
    });
    const mine = await t.get('/v1/saas/me/invitations', { token: invitee.accessToken });
    expect(mine.json().items.map((i: { id: string }) => i.id)).toEqual([id]);
    expect(
      (await t.post(`/v1/saas/invitations/${id}/accept`, {}, { token: stranger.accessToken }))
        .statusCode,
    ).toBe(404);
    const joined = await t.post(
      `/v1/saas/invitations/${id}/accept`,
      {},
      { token: invitee.accessToken },
    );
    expect(joined.statusCode).toBe(200);
    expect(joined.json().role).toBe('member');
    expect(
      (await t.post(`/v1/saas/invitations/${id}/accept`, {}, { token: invitee.accessToken }))
        .statusCode,
    ).toBe(404);
    // A member, not an admin: may read, may not invite; the owner stays the last owner.
    const token = await switchInto(t, invitee, a.id);
    expect((await t.get('/v1/saas/members', { token })).json().items).toHaveLength(2);
    const denied = await t.post(
      '/v1/saas/invitations',
      { email: stranger.email, role: 'member' },
      { token },
    );
    expect(denied.json()).toMatchObject({ code: 'saas.not_tenant_admin', role: 'member' });
    const demote = await t.request(
      'PATCH',
      `/v1/saas/members/${a.owner.id}`,
      { role: 'member' },
      { token: a.token },
    );
    expect(demote.json().code).toBe('saas.last_owner');
    // Tasks may be assigned to members only.
    const project = await newProject(t, a.token);
    const ok = await t.post(
      `/v1/saas/projects/${project}/tasks`,
      { title: 'Yours', assigneeId: invitee.id },
      { token: a.token },
    );
    expect(ok.statusCode).toBe(201);
    const no = await t.post(
      `/v1/saas/projects/${project}/tasks`,
      { title: 'Theirs', assigneeId: stranger.id },
      { token: a.token },
    );
    expect(no.json().code).toBe('saas.assignee_not_member');
    // Removed, the member's tenant token stops working at once (this process) for tenant routes.
    expect(
      (await t.request('DELETE', `/v1/saas/members/${invitee.id}`, undefined, { token: a.token }))
        .statusCode,
    ).toBe(204);
    expect((await t.get('/v1/saas/projects', { token })).statusCode).toBe(404);
  });

  it('refuses a suspended tenant’s every request, and serves it again when reactivated', async () => {
    const admin = await t.newUser({ roles: ['customer', 'admin'] });
    const c = await newTenant(t);
    const suspend = await t.request(
      'PATCH',
      `/v1/saas/tenants/${c.id}`,
      { status: 'suspended' },
      { token: admin.accessToken },
    );
    expect(suspend.statusCode).toBe(200);
    for (const url of ['/v1/saas/projects', '/v1/saas/members']) {
      const res = await t.get(url, { token: c.token });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('platform.tenant_suspended');
    }
    // The owner cannot lift it.
    const self = await t.request(
      'PATCH',
      `/v1/saas/tenants/${c.id}`,
      { status: 'active' },
      { token: c.owner.accessToken },
    );
    expect(self.statusCode).toBe(403);
    await t.request(
      'PATCH',
      `/v1/saas/tenants/${c.id}`,
      { status: 'active' },
      { token: admin.accessToken },
    );
    expect((await t.get('/v1/saas/projects', { token: c.token })).statusCode).toBe(200);
  });

  it('limits a free tenant to its plan’s requests per minute, naming the limit', async () => {
    const c = await newTenant(t);
    const statuses: number[] = [];
    const started = Date.now();
    let limited: { json(): Record<string, unknown>; headers: Record<string, unknown> } | undefined;
    for (let i = 0; i < 105 && !limited; i++) {
      const res = await t.get('/v1/saas/members', { token: c.token });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) limited = res;
    }
    // 100 at once, plus what the bucket refilled meanwhile (one every 600 ms).
    const refilled = Math.ceil((Date.now() - started) / 600);
    const served = statuses.filter((s) => s === 200).length;
    expect(served).toBeGreaterThanOrEqual(100);
    expect(served).toBeLessThanOrEqual(100 + refilled);
    expect(limited!.json()).toMatchObject({
      code: 'platform.tenant_rate_limited',
      plan: 'free',
      limit: 100,
    });
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    // Another route has its own bucket; another tenant is untouched.
    expect((await t.get('/v1/saas/projects', { token: c.token })).statusCode).toBe(200);
    const other = await newTenant(t);
    expect((await t.get('/v1/saas/members', { token: other.token })).statusCode).toBe(200);
  });
});
