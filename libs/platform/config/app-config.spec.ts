import { Module } from '@nestjs/common';
import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineContext } from '../context/context-descriptor.js';
import { contextConfig, loadConfig as load, randomSecret, Secret } from './load-config.js';

// Generated secrets go to a directory of this file's own, never an installation's `.data/`.
const dataDir = mkdtempSync(join(tmpdir(), 'fb-config-spec-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const loadConfig = (env: Record<string, string>, descriptors: Parameters<typeof load>[1]) =>
  load({ DATA_DIR: dataDir, ...env }, descriptors);

class ShopConfig {
  @IsIn(['a', 'b'])
  SHOP_MODE: 'a' | 'b' = 'a';

  @IsOptional()
  @IsString()
  SHOP_API_KEY?: string;

  @Secret({ generate: randomSecret })
  @IsString()
  @MinLength(32)
  SHOP_SIGNING_KEY!: string;

  problems(platform: { isProduction: boolean }): string[] {
    return platform.isProduction && !this.SHOP_API_KEY
      ? ['SHOP_API_KEY: must be set in production']
      : [];
  }
}

@Module({})
class EmptyModule {}

const contexts = [
  defineContext({
    name: 'identity',
    description: '',
    entities: [],
    migrations: [],
    module: EmptyModule,
  }),
  defineContext({
    name: 'shop',
    description: '',
    config: ShopConfig,
    entities: [],
    migrations: [],
    module: EmptyModule,
  }),
];

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({}, contexts);
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.CONTEXTS).toEqual(['identity', 'shop']);
    expect(c.EVENT_TRANSPORT).toBe('none');
    expect(contextConfig(c, ShopConfig).SHOP_MODE).toBe('a');
  });

  it('converts types', () => {
    const c = loadConfig({ PORT: '8080', WORKERS: 'false', CONTEXTS: 'identity, shop' }, contexts);
    expect(c.PORT).toBe(8080);
    expect(c.WORKERS).toBe(false);
    expect(c.CONTEXTS).toEqual(['identity', 'shop']);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ CONTEXTS: 'identity,warehouse' }, 'CONTEXTS'],
    [{ EVENT_TRANSPORT: 'carrier-pigeon' }, 'EVENT_TRANSPORT'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ ADMIN_EMAIL: 'a@b.co' }, 'ADMIN_PASSWORD'],
    [{ ADMIN_PASSWORD: 'long-enough-password' }, 'ADMIN_EMAIL'],
    [{ SHOP_MODE: 'c' }, 'SHOP_MODE'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [
      {
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(40),
        LOG_FORMAT: 'pretty',
        SHOP_API_KEY: 'k',
        SHOP_SIGNING_KEY: 'k'.repeat(32),
      },
      'LOG_FORMAT',
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), SHOP_SIGNING_KEY: 'k'.repeat(32) },
      'SHOP_API_KEY',
    ],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => loadConfig(env, contexts)).toThrow(new RegExp(`${name}:`));
  });

  it('generates a context’s @Secret into DATA_DIR outside production, and requires it in production', () => {
    const c = loadConfig({}, contexts);
    const key = contextConfig(c, ShopConfig).SHOP_SIGNING_KEY;
    expect(key).toHaveLength(43);
    expect(readFileSync(join(dataDir, 'secrets.env'), 'utf8')).toContain(
      `SHOP_SIGNING_KEY=${key}\n`,
    );
    expect(contextConfig(loadConfig({}, contexts), ShopConfig).SHOP_SIGNING_KEY).toBe(key);
    expect(
      contextConfig(loadConfig({ SHOP_SIGNING_KEY: 'k'.repeat(32) }, contexts), ShopConfig)
        .SHOP_SIGNING_KEY,
    ).toBe('k'.repeat(32));
    expect(() =>
      loadConfig(
        { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), SHOP_API_KEY: 'k' },
        contexts,
      ),
    ).toThrow(/SHOP_SIGNING_KEY: must be set in production/);
  });

  it('validates only the hosted contexts’ variables', () => {
    const c = loadConfig({ CONTEXTS: 'identity', SHOP_MODE: 'c' }, contexts);
    expect(c.CONTEXTS).toEqual(['identity']);
    expect(() => contextConfig(c, ShopConfig)).toThrow(/not hosted/);
  });

  it('never echoes a secret value in the error', () => {
    expect(() => loadConfig({ JWT_SECRET: 'hunter2' }, contexts)).toThrow(/JWT_SECRET/);
    try {
      loadConfig({ JWT_SECRET: 'hunter2', SHOP_API_KEY: '' }, contexts);
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
  });

  it('takes a known crash point outside production, and refuses production and unknown labels', () => {
    expect(loadConfig({ FAULT_CRASH_AT: 'after-relay-claim' }, contexts).FAULT_CRASH_AT).toBe(
      'after-relay-claim',
    );
    expect(() =>
      loadConfig(
        {
          NODE_ENV: 'production',
          JWT_SECRET: 'x'.repeat(40),
          SHOP_SIGNING_KEY: 'k'.repeat(32),
          SHOP_API_KEY: 'k',
          FAULT_CRASH_AT: 'after-relay-claim',
        },
        contexts,
      ),
    ).toThrow(/FAULT_CRASH_AT: crash points are for fault tests; refused when NODE_ENV=production/);
    // A typo must not quietly turn a crash test into one that never crashes.
    expect(() => loadConfig({ FAULT_CRASH_AT: 'after-relay-claims' }, contexts)).toThrow(
      /FAULT_CRASH_AT: .*after-business-commit/,
    );
  });
});
