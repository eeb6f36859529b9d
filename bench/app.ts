import { hash } from '@node-rs/argon2';
import { AccessTokens, contextConfig, loadConfig } from '@app/platform';
import type { ChildProcess } from 'node:child_process';
import { v7 as uuidv7 } from 'uuid';
import { CONTEXTS } from '../src/contexts.js';
import { PaymentsConfig } from '../src/payments/payments.config.js';
import { Vault } from '../src/payments/vault/vault.js';
import {
  BENCH_SECRETS,
  clearRedis,
  dropDatabase,
  freshDatabase,
  sql,
  startProcess,
  stopProcess,
} from './env.js';

/** Appends the Luhn check digit. */
function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

export const APP_PORT = 3950;
export const APP_URL = `http://127.0.0.1:${APP_PORT}`;
const DB = 'fb_bench_app';
const PREFIX = 'bench:app:';
const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password' };

/** The server under test, in its own process (the load generator must not share its event loop). */
export class BenchApp {
  private child?: ChildProcess;
  url!: string;
  env!: Record<string, string>;
  adminToken!: string;
  private tokens!: AccessTokens;

  /** The server's process id (its memory is sampled by the scale series). */
  get pid(): number {
    return this.child!.pid!;
  }

  /** `overrides`: environment for one run's needs (the scale series' celebrity threshold). */
  async start(overrides: Record<string, string> = {}): Promise<void> {
    this.url = await freshDatabase(DB);
    await clearRedis(PREFIX);
    this.env = {
      NODE_ENV: 'production',
      PORT: String(APP_PORT),
      HOST: '127.0.0.1',
      DATABASE_URL: this.url,
      REDIS_PREFIX: PREFIX,
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_MINUTE: '100000000',
      ...BENCH_SECRETS,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      PAYMENTS_POLL_INTERVAL_MS: '200',
      COMMERCE_POLL_INTERVAL_MS: '1000',
      // P8 pushes single tenants far past a plan's requests a minute; the limiter still runs.
      SAAS_RATE_LIMIT_MULTIPLIER: '10000',
      // Minute-long billing periods, so invoices are made and checked against raw usage.
      SAAS_BILLING_PERIOD_SECONDS: '60',
      SAAS_INVOICE_GRACE_SECONDS: '5',
      SAAS_BILLING_EVERY_MS: '2000',
      ...overrides,
    };
    this.child = await startProcess(['dist/src/main.js'], this.env, `${APP_URL}/health/ready`);
    this.tokens = new AccessTokens(loadConfig(this.env, []));
    this.adminToken = (await this.post('/v1/identity/login', ADMIN)).accessToken;
  }

  /**
   * The server stopped and started again on the same database and Redis (the scale series
   * measure each size on a fresh process, so its memory reflects the data, not the run so far).
   */
  async restart(): Promise<void> {
    await stopProcess(this.child);
    this.child = await startProcess(['dist/src/main.js'], this.env, `${APP_URL}/health/ready`);
  }

  async stop(): Promise<void> {
    await stopProcess(this.child);
    await dropDatabase(DB);
    await clearRedis(PREFIX);
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<any> {
    const res = await fetch(APP_URL + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  post(path: string, body: unknown, token?: string, headers?: Record<string, string>) {
    return this.request('POST', path, body, token, headers);
  }

  query<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
    return sql(this.url, text, params) as Promise<T[]>;
  }

  /**
   * Many customers fast: rows written straight into identity (one argon2 hash shared by all),
   * access tokens signed with the server's key — registering thousands over HTTP would measure
   * argon2, not the flows under test.
   */
  async customers(n: number): Promise<{ id: string; token: string }[]> {
    const passwordHash = await hash('bench-customer-password', { algorithm: 2 });
    const ids = Array.from({ length: n }, () => uuidv7());
    await this.query(
      `INSERT INTO identity.users (id, email, display_name, password_hash, roles)
       SELECT id, 'bench-' || id || '@example.com', 'Bench', $2, '{customer}' FROM unnest($1::uuid[]) AS id`,
      [ids, passwordHash],
    );
    // The notifications projection too (it would come from identity.user-registered).
    await this.query(
      `INSERT INTO notifications.recipients (user_id, email, display_name) SELECT id, 'bench-' || id || '@example.com', 'Bench' FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    return Promise.all(
      ids.map(async (id) => ({
        id,
        token: await this.tokens.sign({ userId: id, roles: ['customer'] }, 3600),
      })),
    );
  }

  /**
   * Vaulted cards written straight into payments with the server's keys — a distinct card per
   * owner (the fraud rules count per card), all of which the sandbox network accepts.
   */
  async cards(owners: string[]): Promise<string[]> {
    const vault = new Vault(
      contextConfig(loadConfig(this.env, CONTEXTS), PaymentsConfig),
      undefined as never,
    );
    const rows = owners.map((owner) => {
      const number = luhnComplete(
        `4000${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`,
      );
      return {
        owner,
        number,
        token: `tok_${uuidv7().replace(/-/g, '')}`,
        ...vault.encrypt(number),
        fingerprint: vault.fingerprint(number),
      };
    });
    await this.query(
      `INSERT INTO payments.cards (token, owner_id, brand, last4, exp_month, exp_year, holder_name, ciphertext, key_id, fingerprint)
       SELECT t, o, 'visa', l, 12, 2035, 'Bench', c, k, f FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(t, o, l, c, k, f)`,
      [
        rows.map((r) => r.token),
        rows.map((r) => r.owner),
        rows.map((r) => r.number.slice(-4)),
        rows.map((r) => r.ciphertext),
        rows.map((r) => r.keyId),
        rows.map((r) => r.fingerprint),
      ],
    );
    return rows.map((r) => r.token);
  }

  /** Ledger and saga invariants, as the load generator checks after every scenario. */
  async invariants(): Promise<string[]> {
    const problems: string[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [{ n }] = await this.query(
        `SELECT count(*)::int n FROM payments.sagas WHERE state = 'PENDING'`,
      );
      const [{ o }] = await this.query(
        `SELECT count(*)::int o FROM commerce.orders WHERE status IN ('PENDING', 'PAID')`,
      );
      const [{ u }] = await this.query(
        `SELECT count(*)::int u FROM platform.outbox WHERE dispatched_at IS NULL`,
      );
      const [{ p }] = await this.query(
        `SELECT count(*)::int p FROM platform.inbox WHERE status <> 'done'`,
      );
      if (n + o + u + p === 0) break;
      if (Date.now() > deadline) {
        problems.push(
          `not settled after 60 s: ${n} sagas, ${o} orders, ${u} outbox rows, ${p} deliveries pending`,
        );
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const verify = await this.request(
      'GET',
      '/v1/payments/ledger/verify',
      undefined,
      this.adminToken,
    );
    if (!verify.ok)
      problems.push(
        `ledger: ${verify.problems.map((p: { detail: string }) => p.detail).join('; ')}`,
      );
    const [oversold] = await this.query(
      `SELECT sku FROM commerce.inventory WHERE on_hand < 0 OR reserved > on_hand LIMIT 1`,
    );
    if (oversold) problems.push(`stock oversold for ${oversold.sku}`);
    const [parked] = await this.query(
      `SELECT consumer FROM platform.inbox WHERE status = 'parked' LIMIT 1`,
    );
    if (parked) problems.push(`a delivery to ${parked.consumer} was parked`);
    return problems;
  }
}
