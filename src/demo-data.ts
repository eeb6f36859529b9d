import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { AppConfig } from '@app/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { DEMO_CATALOG_SIZE, seedCatalog } from './demo-catalog.js';
import { RegisterUser } from './identity/accounts/register-user.handler.js';
import { IdentityError } from './identity/identity.error.js';

/**
 * The demo a fresh development start loads (README › Run it › Demo data): the seed's catalog with
 * stock, an admin, and a customer with a vaulted sandbox card and a funded wallet. Part of the
 * composition root (like src/seed.ts), so it may reach every context — and goes through each
 * one's own public behaviour: the customer registers, logs in, vaults the card, opens the wallet
 * and tops it up over HTTP (`app.inject`, the same pipeline a client uses); the admin is
 * identity's `RegisterUser` command with the admin role (no HTTP route grants roles). Only the
 * catalog is written in bulk (src/demo-catalog.ts says why), and two reads decide "empty".
 */
export const DEMO_CUSTOMER_EMAIL = 'demo@example.com';
export const DEMO_ADMIN_EMAIL = 'admin@example.com';
/** Contexts the demo needs in `CONTEXTS` (later contexts add theirs here). */
export const DEMO_CONTEXTS = ['identity', 'commerce', 'payments'] as const;
/** Sandbox card that always approves (README › Payments › sandbox cards). */
const DEMO_CARD = '4242424242424242';
const WALLET_FUNDS = 100_000; // €1,000.00 in cents
/** pg_advisory_lock key: one demo loader at a time per database (several processes starting). */
const LOCK_KEY = 0x64656d6f; // 'demo'

export interface DemoOptions {
  /** Catalog size (default: the seed's 10,400 products); tests take a few hundred. */
  products?: number;
}

export type DemoOutcome =
  | { status: 'loaded'; customer: DemoAccount; admin: DemoAccount; products: number }
  | { status: 'present' | 'not-empty' | 'contexts-missing' };

export interface DemoAccount {
  email: string;
  password: string;
}

/**
 * Whether this start may load the demo: never in production; in development unless
 * `DEMO_DATA=false`; under `NODE_ENV=test` only when the environment says `DEMO_DATA` itself
 * (the config's default is `true`, and test apps must stay empty unless a test asks).
 */
export function demoDataWanted(config: AppConfig, env: Record<string, string | undefined>) {
  if (config.NODE_ENV === 'production' || !config.DEMO_DATA) return false;
  return config.NODE_ENV === 'development' || env.DEMO_DATA !== undefined;
}

/**
 * Loads the demo into an empty database, once: under a session advisory lock, so of several
 * processes starting at once one loads and the others find it present. "Empty" means no
 * products but the demo's own SKUs and no users but the demo's and the ADMIN_EMAIL bootstrap
 * account. Passwords are random per database and printed in one log line, that once; later
 * starts log that the demo is present (and where to look) without them.
 */
export async function loadDemoData(
  app: NestFastifyApplication,
  config: AppConfig,
  options: DemoOptions = {},
): Promise<DemoOutcome> {
  const logger = new Logger('DemoData');
  const missing = DEMO_CONTEXTS.filter((c) => !config.CONTEXTS.includes(c));
  if (missing.length > 0) {
    logger.log(`demo data skipped: CONTEXTS does not host ${missing.join(', ')}`);
    return { status: 'contexts-missing' };
  }
  const db = app.get<DataSource>(getDataSourceToken());
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock($1)`, [LOCK_KEY]);
    try {
      const state = await databaseState(runner, config);
      if (state === 'present') {
        logger.log(
          `demo data present: customer ${DEMO_CUSTOMER_EMAIL}, admin ${DEMO_ADMIN_EMAIL} — their passwords were printed once, in the demo data loaded line of the start that created them; to load it afresh, start on an empty database (docker compose down -v)`,
        );
        return { status: 'present' };
      }
      if (state === 'not-empty') {
        logger.log('demo data not loaded: the database already has users or products');
        return { status: 'not-empty' };
      }
      const outcome = await load(app, runner, options.products ?? DEMO_CATALOG_SIZE);
      logger.log(
        `demo data loaded: customer ${outcome.customer.email} / ${outcome.customer.password} (card ${outcome.cardToken}, wallet ${outcome.accountId} with €${(WALLET_FUNDS / 100).toFixed(2)}), admin ${outcome.admin.email} / ${outcome.admin.password}, ${outcome.products} products — the passwords are printed only this once`,
      );
      return {
        status: 'loaded',
        customer: outcome.customer,
        admin: outcome.admin,
        products: outcome.products,
      };
    } finally {
      await runner.query(`SELECT pg_advisory_unlock($1)`, [LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

async function databaseState(
  runner: QueryRunner,
  config: AppConfig,
): Promise<'present' | 'not-empty' | 'empty'> {
  const ours = [DEMO_CUSTOMER_EMAIL, DEMO_ADMIN_EMAIL, config.ADMIN_EMAIL?.toLowerCase()].filter(
    (e): e is string => !!e,
  );
  const [row] = (await runner.query(
    `SELECT EXISTS (SELECT 1 FROM identity.users WHERE email = $1) AS present,
            EXISTS (SELECT 1 FROM identity.users WHERE email <> ALL($2::text[])) AS users,
            EXISTS (SELECT 1 FROM commerce.products WHERE sku NOT LIKE 'DEMO-%') AS products`,
    [DEMO_CUSTOMER_EMAIL, ours],
  )) as { present: boolean; users: boolean; products: boolean }[];
  if (row!.present) return 'present';
  return row!.users || row!.products ? 'not-empty' : 'empty';
}

async function load(app: NestFastifyApplication, runner: QueryRunner, products: number) {
  // The catalog in one transaction: a crash leaves none of it (the next start loads it again).
  await runner.startTransaction();
  try {
    await seedCatalog(runner, { products });
    await runner.commitTransaction();
  } catch (err) {
    await runner.rollbackTransaction();
    throw err;
  }

  const admin = { email: DEMO_ADMIN_EMAIL, password: newPassword() };
  try {
    await app
      .get(CommandBus)
      .execute(new RegisterUser({ ...admin, displayName: 'Demo Admin' }, ['customer', 'admin']));
  } catch (err) {
    // Left by an earlier load that failed after it (its password was printed then, or never):
    // finish the rest rather than fail every start from now on.
    if (!(err instanceof IdentityError && err.code === 'identity.email_taken')) throw err;
    admin.password = '(unchanged: the account existed already)';
  }

  // The customer last: its account is what marks the demo as present.
  const customer = { email: DEMO_CUSTOMER_EMAIL, password: newPassword() };
  const http = client(app);
  await http('POST', '/v1/identity/register', { ...customer, displayName: 'Demo Customer' }, 201);
  const { accessToken } = (await http('POST', '/v1/identity/login', customer, 200)) as {
    accessToken: string;
  };
  const as = { token: accessToken };
  const card = (await http(
    'POST',
    '/v1/payments/cards',
    {
      number: DEMO_CARD,
      expMonth: 12,
      expYear: new Date().getUTCFullYear() + 5,
      cvc: '123',
      holderName: 'Demo Customer',
    },
    201,
    as,
  )) as { token: string };
  const account = (await http('POST', '/v1/payments/accounts', { currency: 'EUR' }, 201, as)) as {
    id: string;
  };
  await http(
    'POST',
    `/v1/payments/accounts/${account.id}/top-ups`,
    { cardToken: card.token, amount: WALLET_FUNDS },
    201,
    { ...as, idempotencyKey: randomUUID() },
  );
  return { admin, customer, cardToken: card.token, accountId: account.id, products };
}

/** A request through the app's own HTTP pipeline; anything but `expected` stops the load. */
function client(app: NestFastifyApplication) {
  return async (
    method: 'POST' | 'GET',
    url: string,
    payload: object,
    expected: number,
    opts: { token?: string; idempotencyKey?: string } = {},
  ): Promise<unknown> => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const res = await app.inject({ method, url, headers, payload });
    if (res.statusCode !== expected)
      throw new Error(`demo data: ${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res.json();
  };
}

/** 18 random characters (~108 bits): local demo accounts, never a value from the source. */
const newPassword = () => randomBytes(14).toString('base64url').slice(0, 18);
