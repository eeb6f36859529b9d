import { AppConfig, ConfigError, contextConfig, describeSecrets, loadConfig } from '@app/platform';
import { createTestApp, createTestDatabase, eventually, type TestApp } from '@app/testing';
import { SignJWT } from 'jose';
import { spawn } from 'node:child_process';
import { createDecipheriv, randomUUID } from 'node:crypto';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { createApp } from '../../src/app.factory.js';
import { CONTEXTS } from '../../src/contexts.js';
import { PaymentsConfig } from '../../src/payments/payments.config.js';
import { SaasConfig } from '../../src/saas/saas.config.js';
import { StreamingConfig } from '../../src/streaming/streaming.config.js';
import { vaultCard } from '../payments/helpers.js';

/** The values the repository used to ship (leaked by being public): they must buy nothing. */
const OLD_DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0123456789';
const OLD_DEV_VAULT_KEY = Buffer.from('ZGV2LW9ubHktdmF1bHQta2V5LTMyLWJ5dGVzLWxvbmc=', 'base64');

const dirs: string[] = [];
const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-secrets-spec-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// Nothing from the shell or the test run: each start here finds its secrets itself.
const NO_SECRETS = {
  JWT_SECRET: '',
  PAYMENTS_VAULT_KEYS: '',
  PAYMENTS_VAULT_HMAC_KEY: '',
  STREAMING_PLAYBACK_SECRET: '',
  SAAS_INVOICE_LINK_SECRET: '',
};
const development = (dataDir: string) => ({
  ...NO_SECRETS,
  NODE_ENV: 'development',
  DATA_DIR: dataDir,
});
const secretsOf = (t: TestApp) => {
  const payments = t.resolve(PaymentsConfig);
  return {
    JWT_SECRET: t.resolve(AppConfig).JWT_SECRET,
    PAYMENTS_VAULT_KEYS: payments.PAYMENTS_VAULT_KEYS,
    PAYMENTS_VAULT_HMAC_KEY: payments.PAYMENTS_VAULT_HMAC_KEY,
    STREAMING_PLAYBACK_SECRET: t.resolve(StreamingConfig).STREAMING_PLAYBACK_SECRET,
    SAAS_INVOICE_LINK_SECRET: t.resolve(SaasConfig).SAAS_INVOICE_LINK_SECRET,
  };
};
const me = (t: TestApp, token: string) => t.get('/v1/identity/me', { token });

describe('secrets: none comes from the source', () => {
  it('no config class has a default for a secret-looking variable', () => {
    const classes = [AppConfig, ...CONTEXTS.flatMap((c) => (c.config ? [c.config] : []))];
    const defaults = classes.flatMap((cls) =>
      Object.entries(new cls() as object)
        .filter(
          ([name, value]) => /(SECRET|PASSWORD|_KEYS?|_TOKEN)$/.test(name) && value !== undefined,
        )
        .map(([name]) => `${cls.name}.${name}`),
    );
    expect(defaults).toEqual([]);
  });

  it('the example environment (copied to .env, which docker compose reads) sets no secret', () => {
    const example = readFileSync(join(import.meta.dirname, '../../.env.example'), 'utf8');
    const set = [...example.matchAll(/^(\w+)=(.+)$/gm)]
      .filter(([, name]) => /(SECRET|PASSWORD|_KEYS?|_TOKEN)$/.test(name!))
      .map(([line]) => line);
    expect(set).toEqual([]);
  });

  it('two development installations get different secrets: tokens of one are refused by the other', async () => {
    const a = await createTestApp({ env: development(freshDataDir()) });
    const b = await createTestApp({ env: development(freshDataDir()), database: a.database });
    try {
      const [sa, sb] = [secretsOf(a), secretsOf(b)];
      for (const name of Object.keys(sa) as (keyof typeof sa)[])
        expect(sa[name], name).not.toBe(sb[name]);
      expect(sa.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
      expect(sa.PAYMENTS_VAULT_KEYS).toMatch(/^[\w-]+:[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(sa.PAYMENTS_VAULT_KEYS.split(':')[1]!, 'base64')).toHaveLength(32);
      expect(sa.PAYMENTS_VAULT_HMAC_KEY.length).toBeGreaterThanOrEqual(32);

      const user = await a.newUser();
      expect((await me(a, user.accessToken)).statusCode).toBe(200);
      expect((await me(b, user.accessToken)).statusCode).toBe(401);
      const { accessToken } = await b.login(user.email, user.password);
      expect((await me(b, accessToken)).statusCode).toBe(200);
      expect((await me(a, accessToken)).statusCode).toBe(401);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('refuses, in development, a token signed with the secret the repository used to ship', async () => {
    const t = await createTestApp({ env: development(freshDataDir()) });
    try {
      const user = await t.newUser();
      // Claims as the server issues them (sid included): only the key differs.
      const sign = (key: string) =>
        new SignJWT({ roles: ['admin'], sid: randomUUID() })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setSubject(user.id)
          .setIssuer('five-businesses/identity')
          .setAudience('five-businesses/api')
          .setJti(randomUUID())
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode(key));
      const forged = await sign(OLD_DEV_JWT_SECRET);
      // The control: the same claims under the server's own key are accepted.
      expect((await me(t, await sign(t.resolve(AppConfig).JWT_SECRET))).statusCode).toBe(200);
      expect((await me(t, forged)).statusCode).toBe(401);
      expect((await t.get('/v1/platform/deliveries/parked', { token: forged })).statusCode).toBe(
        401,
      );

      // Nor does the vault key the repository used to ship open a card vaulted in development.
      await vaultCard(t, user);
      const [card] = await t.dataSource.query(
        `SELECT ciphertext FROM payments.cards WHERE owner_id = $1`,
        [user.id],
      );
      const raw = Buffer.from(card.ciphertext as string, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', OLD_DEV_VAULT_KEY, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      expect(() => Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()])).toThrow(
        /authenticate/,
      );
    } finally {
      await t.close();
    }
  });
});

describe('secrets: development generates them once per installation', () => {
  it('writes them to DATA_DIR/secrets.env (mode 0600) on the first start and reuses them on the next, and in the worker', async () => {
    const dataDir = join(freshDataDir(), 'data');
    const database = await createTestDatabase();
    const first = await createTestApp({ env: development(dataDir), database });
    const file = join(dataDir, 'secrets.env');
    let user: Awaited<ReturnType<TestApp['newUser']>>;
    let card: { token: string };
    let generated: ReturnType<typeof secretsOf>;
    try {
      generated = secretsOf(first);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      const text = readFileSync(file, 'utf8');
      for (const [name, value] of Object.entries(generated))
        expect(text).toContain(`\n${name}=${value}\n`);
      // The start says where they are, never what they are.
      const line = describeSecrets(first.resolve(AppConfig))!;
      expect(line).toContain(file);
      expect(line).toContain('JWT_SECRET');
      for (const value of Object.values(generated)) expect(line).not.toContain(value);
      user = await first.newUser();
      card = await vaultCard(first, user);
    } finally {
      await first.close({ keepRedis: true });
    }

    // A restart (same database, same Redis): same secrets, so its tokens and its vaulted cards
    // still work.
    const restart = await createTestApp({
      env: development(dataDir),
      database,
      redisPrefix: first.redisPrefix,
    });
    try {
      expect(secretsOf(restart)).toEqual(generated);
      expect((await me(restart, user.accessToken)).statusCode).toBe(200);
      // The top-up's saga decrypts the card vaulted before the restart.
      const account = await restart.post(
        '/v1/payments/accounts',
        { currency: 'EUR' },
        { token: user.accessToken },
      );
      const topUp = await restart.post(
        `/v1/payments/accounts/${account.json().id}/top-ups`,
        { cardToken: card.token, amount: 500 },
        { token: user.accessToken, headers: { 'idempotency-key': randomUUID() } },
      );
      expect(topUp.statusCode, topUp.body).toBe(201);
      await eventually(async () => {
        const res = await restart.get(`/v1/payments/transfers/${topUp.json().id}`, {
          token: user.accessToken,
        });
        expect(res.json()).toMatchObject({ status: 'COMPLETED' });
      });
    } finally {
      await restart.close();
      await database.drop();
    }
    // The worker process (src/worker.ts) loads the same way, from the same directory.
    const worker = loadConfig({ ...development(dataDir), WORKERS: 'true' }, CONTEXTS);
    expect(worker.JWT_SECRET).toBe(generated.JWT_SECRET);
    expect(readFileSync(file, 'utf8').match(/^JWT_SECRET=/gm)).toHaveLength(1);
  });

  it('takes the first line of a name (what racing starts agree on) and closes off a torn last line', () => {
    const dataDir = freshDataDir();
    const [first, second] = ['a'.repeat(43), 'b'.repeat(43)];
    // What two starts that both found JWT_SECRET missing leave, plus a writer killed mid-line.
    writeFileSync(
      join(dataDir, 'secrets.env'),
      `JWT_SECRET=${first}\nJWT_SECRET=${second}\nPAYMENTS_VAULT_HMAC_KEY=torn`,
      { mode: 0o600 },
    );
    const config = loadConfig(development(dataDir), CONTEXTS);
    expect(config.JWT_SECRET).toBe(first);
    const hmac = contextConfig(config, PaymentsConfig).PAYMENTS_VAULT_HMAC_KEY;
    expect(hmac).not.toBe('torn');
    const text = readFileSync(join(dataDir, 'secrets.env'), 'utf8');
    expect(text).toContain('=torn\0\n');
    expect(text).toContain(`\nPAYMENTS_VAULT_HMAC_KEY=${hmac}\n`);
    expect(describeSecrets(config)).toMatch(
      /generated now: PAYMENTS_VAULT_KEYS, PAYMENTS_VAULT_HMAC_KEY, STREAMING_PLAYBACK_SECRET, SAAS_INVOICE_LINK_SECRET;/,
    );
  });

  it('validates a value edited into the file like one from the environment, without echoing it', () => {
    const dataDir = freshDataDir();
    writeFileSync(join(dataDir, 'secrets.env'), 'PAYMENTS_VAULT_KEYS=not-a-keyring\n', {
      mode: 0o600,
    });
    const load = () => loadConfig(development(dataDir), CONTEXTS);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /PAYMENTS_VAULT_KEYS: PAYMENTS_VAULT_KEYS must be keyId:.*\(in .*secrets\.env\)/,
    );
    expect(load).not.toThrow(/not-a-keyring/);
  });

  it('refuses a secrets file other users can read', () => {
    const dataDir = freshDataDir();
    loadConfig(development(dataDir), CONTEXTS);
    chmodSync(join(dataDir, 'secrets.env'), 0o644);
    expect(() => loadConfig(development(dataDir), CONTEXTS)).toThrow(
      /DATA_DIR: .*secrets\.env is readable by other users \(mode 644\): chmod 600 it/,
    );
  });

  it('concurrent first starts (separate processes) agree on one set', async () => {
    // secrets.ts needs only node:*, so a plain transpile runs it in child processes.
    const source = readFileSync(
      join(import.meta.dirname, '../../libs/platform/config/secrets.ts'),
      'utf8',
    );
    const work = freshDataDir();
    const module = join(work, 'secrets.mjs');
    writeFileSync(
      module,
      ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText,
    );
    const dataDir = join(work, 'data');
    const startAt = Date.now() + 1500;
    const script = `
      const m = await import(${JSON.stringify(module)});
      while (Date.now() < ${startAt});
      const { values } = m.obtainSecrets(${JSON.stringify(join(dataDir, 'secrets.env'))}, {
        JWT_SECRET: m.randomSecret,
        PAYMENTS_VAULT_KEYS: m.randomKeyring,
      });
      console.log(JSON.stringify(values));`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', (code) =>
          code === 0 ? resolve(out.trim()) : reject(new Error(`${code}`)),
        );
      });
    const results = await Promise.all(Array.from({ length: 12 }, run));
    expect(new Set(results).size).toBe(1);
    expect(Object.keys(JSON.parse(results[0]!))).toEqual(['JWT_SECRET', 'PAYMENTS_VAULT_KEYS']);
    expect(statSync(join(dataDir, 'secrets.env')).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });
});

describe('secrets: tests generate their own', () => {
  it('one random set per run, in a directory of the run’s own, shared by every app', async () => {
    const a = await createTestApp();
    const b = await createTestApp({ database: a.database });
    try {
      const dataDir = a.resolve(AppConfig).DATA_DIR;
      expect(dataDir).toBe(process.env.DATA_DIR);
      expect(dataDir.startsWith(tmpdir())).toBe(true);
      expect(secretsOf(b)).toEqual(secretsOf(a));
      const user = await a.newUser();
      expect((await me(b, user.accessToken)).statusCode).toBe(200);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('secrets: production never generates them', () => {
  it('refuses to boot without JWT_SECRET, the payments vault keys, STREAMING_PLAYBACK_SECRET and SAAS_INVOICE_LINK_SECRET, naming each', async () => {
    const dataDir = freshDataDir();
    const boot = createApp({
      ...process.env,
      ...NO_SECRETS,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
    });
    await expect(boot).rejects.toBeInstanceOf(ConfigError);
    const message = String(await boot.catch((e: Error) => e.message));
    for (const name of Object.keys(NO_SECRETS))
      expect(message).toMatch(new RegExp(`${name}: must be set in production`));
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('does not read a development secrets file either', async () => {
    const dataDir = freshDataDir();
    loadConfig(development(dataDir), CONTEXTS);
    expect(readdirSync(dataDir)).toEqual(['secrets.env']);
    expect(() =>
      loadConfig({ ...NO_SECRETS, NODE_ENV: 'production', DATA_DIR: dataDir }, CONTEXTS),
    ).toThrow(/JWT_SECRET: must be set in production/);
  });
});
