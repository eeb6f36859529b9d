import { randomBytes } from 'node:crypto';
import type { TestApp, TestUser } from './test-app.js';

/**
 * The saas part of the reliability fixtures (api-fixtures.ts). The world's admin owns a tenant
 * that invites every customer; each customer owns a pro tenant (their access token is switched
 * into it, so tenant routes act there) with a project, a task, a comment, a pending invitation
 * to a stranger, the admin as a second member, and a draft invoice with its signed page.
 */
export interface SaasCustomer {
  tenantId: string;
  projectId: string;
  taskId: string;
  /** A second member of A's tenant (of no other). */
  memberId: string;
  /** A's tenant's pending invitation (to nobody registered): A may revoke it. */
  invitationId: string;
  /** The admin tenant's invitation to A: A alone may accept it. */
  incomingInvitationId: string;
  invoiceId: string;
  /** The last segment of the invoice's `htmlUrl`. */
  invoiceSignature: string;
}

function expectStatus(what: string, res: { statusCode: number; body: string }, ...ok: number[]) {
  if (!ok.includes(res.statusCode)) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
}

const slug = () => `fx-${randomBytes(5).toString('hex')}`;

async function tenantOf(
  t: TestApp,
  user: TestUser,
  plan: string,
): Promise<{ id: string; token: string }> {
  const res = await t.post(
    '/v1/saas/tenants',
    { name: 'Fixture tenant', slug: slug(), plan },
    { token: user.accessToken },
  );
  expectStatus('create tenant', res, 201);
  const id = res.json().id as string;
  const sw = await t.post(`/v1/saas/tenants/${id}/switch`, {}, { token: user.accessToken });
  expectStatus('switch tenant', sw, 200);
  return { id, token: sw.json().accessToken as string };
}

/** The admin's tenant, from which customers are invited (returns its switched token). */
export async function saasWorld(
  t: TestApp,
  admin: TestUser,
): Promise<{ tenantId: string; token: string }> {
  const tenant = await tenantOf(t, admin, 'pro');
  return { tenantId: tenant.id, token: tenant.token };
}

/** saas knows a user's email from identity's user-registered event: wait for it. */
async function waitForProjection(t: TestApp, user: TestUser): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = await t.dataSource.query(`SELECT 1 FROM saas.users WHERE user_id = $1`, [
      user.id,
    ]);
    if (row) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`saas never learned of user ${user.id}`);
}

/** Invites `email` from the tenant of `token`; returns the invitation id. */
async function invite(t: TestApp, token: string, email: string): Promise<string> {
  const res = await t.post('/v1/saas/invitations', { email, role: 'member' }, { token });
  expectStatus('invite', res, 201);
  return res.json().id as string;
}

/**
 * The customer's tenant and what is in it. Replaces `user.accessToken` with the token switched
 * into the tenant (every other route takes it as before).
 */
export async function saasCustomer(
  t: TestApp,
  user: TestUser,
  world: { admin: TestUser; saas: { tenantId: string; token: string } },
): Promise<SaasCustomer> {
  const tenant = await tenantOf(t, user, 'pro');
  const auth = { token: tenant.token };
  const project = await t.post('/v1/saas/projects', { name: 'Fixture project' }, auth);
  expectStatus('create project', project, 201);
  const projectId = project.json().id as string;
  // The task is in a second project: deleting the first (a DELETE control) leaves it alone.
  const other = await t.post('/v1/saas/projects', { name: 'Fixture tasks' }, auth);
  expectStatus('create project', other, 201);
  const task = await t.post(
    `/v1/saas/projects/${other.json().id}/tasks`,
    { title: 'Fixture task', assigneeId: user.id },
    auth,
  );
  expectStatus('create task', task, 201);
  const taskId = task.json().id as string;
  expectStatus(
    'comment',
    await t.post(`/v1/saas/tasks/${taskId}/comments`, { body: 'Fixture comment' }, auth),
    201,
  );
  // A colleague joins as a second member (one the owner may change or remove).
  const colleague = await t.newUser();
  await waitForProjection(t, colleague);
  const colleagueInvite = await invite(t, tenant.token, colleague.email);
  expectStatus(
    'colleague accepts',
    await t.post(
      `/v1/saas/invitations/${colleagueInvite}/accept`,
      {},
      { token: colleague.accessToken },
    ),
    200,
  );
  const invitationId = await invite(
    t,
    tenant.token,
    `stranger-${randomBytes(4).toString('hex')}@example.com`,
  );
  await waitForProjection(t, user);
  const incomingInvitationId = await invite(t, world.saas.token, user.email);
  // A draft invoice for the current period (the close job would make it when the period ends).
  const [invoice] = await t.dataSource.query<{ id: string }[]>(
    `INSERT INTO saas.invoices (tenant_id, id, number, period_start, period_end, plan, status, currency,
                                subtotal, total, finalizes_at)
     SELECT id, gen_random_uuid(), 'FX-0001', billing_starts_at, billing_starts_at + interval '1 month', plan,
            'draft', 'EUR', 4900, 4900, billing_starts_at + interval '1 month 1 hour'
       FROM saas.tenants WHERE id = $1 RETURNING id`,
    [tenant.id],
  );
  await t.dataSource.query(
    `INSERT INTO saas.invoice_lines (tenant_id, invoice_id, position, kind, description, quantity, unit_amount, amount)
     VALUES ($1, $2, 1, 'flat', 'Pro plan', 1, 4900, 4900)`,
    [tenant.id, invoice!.id],
  );
  const detail = await t.get(`/v1/saas/invoices/${invoice!.id}`, auth);
  expectStatus('read invoice', detail, 200);
  user.accessToken = tenant.token;
  return {
    tenantId: tenant.id,
    memberId: colleague.id,
    projectId,
    taskId,
    invitationId,
    incomingInvitationId,
    invoiceId: invoice!.id,
    invoiceSignature: String(detail.json().htmlUrl).split('/').pop()!,
  };
}
