import { randomBytes } from 'node:crypto';
import type { TestApp, TestUser } from '@app/testing';

export interface TestTenant {
  id: string;
  slug: string;
  owner: TestUser;
  /** The owner's access token scoped to the tenant (POST …/switch). */
  token: string;
}

function expectStatus(what: string, res: { statusCode: number; body: string }, ...ok: number[]) {
  if (!ok.includes(res.statusCode)) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
}

/** A tenant owned by a new user (or `owner`), and the owner's token switched into it. */
export async function newTenant(
  t: TestApp,
  options: { owner?: TestUser; plan?: string; isolation?: string; admin?: TestUser } = {},
): Promise<TestTenant> {
  const owner = options.owner ?? (await t.newUser());
  const slug = `t-${randomBytes(5).toString('hex')}`;
  const creator = options.admin ?? owner;
  const res = await t.post(
    '/v1/saas/tenants',
    {
      name: `Tenant ${slug}`,
      slug,
      ...(options.plan ? { plan: options.plan } : {}),
      ...(options.isolation ? { isolation: options.isolation } : {}),
      ...(options.admin ? { ownerId: owner.id } : {}),
    },
    { token: creator.accessToken },
  );
  expectStatus('create tenant', res, 201);
  const id = res.json().id as string;
  return { id, slug, owner, token: await switchInto(t, owner, id) };
}

export async function switchInto(t: TestApp, user: TestUser, tenantId: string): Promise<string> {
  const res = await t.post(`/v1/saas/tenants/${tenantId}/switch`, {}, { token: user.accessToken });
  expectStatus('switch tenant', res, 200);
  return res.json().accessToken as string;
}

export async function newProject(
  t: TestApp,
  token: string,
  name = `P ${randomBytes(3).toString('hex')}`,
) {
  const res = await t.post('/v1/saas/projects', { name }, { token });
  expectStatus('create project', res, 201);
  return res.json().id as string;
}
