import { randomInt } from 'node:crypto';
import {
  createWorld,
  findDelivery,
  newCustomer,
  type Customer,
  type World,
} from './api-fixtures.js';
import { BODY_RESOURCES, PATH_RESOURCES, pathResourceKey } from './api-resources.js';
import { harnessSecrets } from './exposure.js';
import { loadDocument, type ApiDocument, type Operation } from './openapi-document.js';
import type { FuzzContext } from './openapi-fuzz.js';
import { createTestApp, type TestApp, type TestAppOptions } from './test-app.js';

/**
 * The reliability harness's app: secrets of its own, a rate limit out of the way, an admin, the
 * served OpenAPI document and `customers` customers with resources (see api-fixtures.ts).
 */
export interface Harness {
  t: TestApp;
  doc: ApiDocument;
  world: World;
  customers: Customer[];
  secrets: ReturnType<typeof harnessSecrets>;
  /** The customer's ids where the document has a path parameter or a body field naming one. */
  contextFor(customer: Customer): FuzzContext;
  /** Admin-only operations get the admin's token, everything else the customer's. */
  tokenFor(customer: Customer): (op: Operation) => string;
}

export async function createHarness(customers = 1, options: TestAppOptions = {}): Promise<Harness> {
  const secrets = harnessSecrets();
  const t = await createTestApp({
    ...options,
    env: {
      RATE_LIMIT_PER_MINUTE: '1000000',
      PAYMENTS_SANDBOX_LATENCY_MS: '0',
      PAYMENTS_POLL_INTERVAL_MS: '100',
      ...secrets.env,
      ...options.env,
    },
  });
  try {
    const world = await createWorld(t);
    const list: Customer[] = [];
    for (let i = 0; i < customers; i++) list.push(await newCustomer(t, world, i));
    await findDelivery(t, world);
    const doc = await loadDocument(t);
    return {
      t,
      doc,
      world,
      customers: list,
      secrets,
      contextFor: (c) => ({
        pathValue: (op, param) => PATH_RESOURCES[pathResourceKey(op.path, param)]?.value(world, c),
        bodyValue: (field) => BODY_RESOURCES[field]?.value(world, c),
        cursors: new Map(),
        jwtSecret: secrets.jwtSecret,
      }),
      tokenFor: (c) => (op) => (op.roles ? world.admin.accessToken : c.user.accessToken),
    };
  } catch (err) {
    await t.close();
    throw err;
  }
}

/** `FUZZ_SEED` from the environment (to replay a run), else a fresh one. */
export function fuzzSeed(): number {
  const fromEnv = process.env.FUZZ_SEED;
  return fromEnv ? Number(fromEnv) : randomInt(2 ** 31);
}
