import { randomKeyring, randomSecret } from '@app/platform';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The secrets of the servers one benchmark run starts (production mode, which never generates
 * any): random per run, shared by every process of the run — never a value in the source.
 */
export const BENCH_SECRETS = {
  JWT_SECRET: randomSecret(),
  PAYMENTS_VAULT_KEYS: randomKeyring(),
  PAYMENTS_VAULT_HMAC_KEY: randomSecret(),
  STREAMING_PLAYBACK_SECRET: randomSecret(),
  SAAS_INVOICE_LINK_SECRET: randomSecret(),
};

const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A UUID v7 made in SQL from the clock (what `uuid` makes in the app), for rows seeded in bulk. */
export const SQL_UUID_V7 = `(lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
  || '7' || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid`;

export function dbUrl(name: string): string {
  const u = new URL(BASE_DB);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function sql<T extends pg.QueryResultRow = any>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export async function freshDatabase(name: string): Promise<string> {
  await sql(BASE_DB, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(BASE_DB, `CREATE DATABASE "${name}"`);
  return dbUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await sql(BASE_DB, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

export async function clearRedis(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

/** Starts a node process and waits until `readyUrl` answers 200. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    try {
      if ((await fetch(readyUrl)).ok) return child;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${readyUrl} did not become ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

export async function machineFacts(url: string): Promise<Record<string, string>> {
  const [pgv] = await sql(url, `SHOW server_version`);
  const redis = new Redis(REDIS_URL);
  const info = await redis.info('server');
  await redis.quit();
  return {
    cores: String(cpus().length),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    postgresql: pgv.server_version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
  };
}

/** Runs a command (pgbench) and returns its stdout. */
export function exec(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.slice(-500)}`)),
    );
  });
}

/** pgbench's "tps = N (without initial connection time)". */
export function pgbenchTps(output: string): number {
  const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
  if (!m) throw new Error(`no tps in pgbench output: ${output.slice(-300)}`);
  return Number(m[1]);
}
