import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { contextConfig, loadConfig } from '../config/load-config.js';
import { createObjectStorage } from './storage.module.js';
import { LocalObjectStorage } from './local-storage.js';
import { S3ObjectStorage } from './s3-storage.js';
import { StorageConfig } from './storage.config.js';

const dataDir = mkdtempSync(join(tmpdir(), 'fb-storage-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const load = (env: Record<string, string>) =>
  loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'j'.repeat(40), ...env }, []);
const S3 = { STORAGE_DRIVER: 's3', STORAGE_S3_BUCKET: 'media' };

describe('storage config', () => {
  it('defaults to the local driver under DATA_DIR/storage', () => {
    const config = load({});
    const storage = contextConfig(config, StorageConfig);
    expect(storage.STORAGE_DRIVER).toBe('local');
    expect(storage.localDir(config.DATA_DIR)).toBe(resolve(dataDir, 'storage'));
    expect(createObjectStorage(storage, config)).toBeInstanceOf(LocalObjectStorage);
    const own = contextConfig(load({ STORAGE_LOCAL_DIR: '/srv/objects' }), StorageConfig);
    expect(own.localDir(dataDir)).toBe('/srv/objects');
  });

  it('picks the S3 adapter, which needs a bucket', () => {
    const config = load({ ...S3, STORAGE_S3_ENDPOINT: 'http://127.0.0.1:9000' });
    expect(createObjectStorage(contextConfig(config, StorageConfig), config)).toBeInstanceOf(
      S3ObjectStorage,
    );
    expect(() => load({ STORAGE_DRIVER: 's3' })).toThrow(/STORAGE_S3_BUCKET: required/);
    expect(() => load({ STORAGE_DRIVER: 'ftp' })).toThrow(/STORAGE_DRIVER/);
  });

  it('requires the S3 credentials in production, and never echoes the secret', () => {
    const production = { NODE_ENV: 'production', ...S3 };
    expect(() => load(production)).toThrow(/STORAGE_S3_SECRET_ACCESS_KEY: required in production/);
    const secret = 'sup3r-s3cret-value';
    let message = '';
    try {
      load({
        ...production,
        STORAGE_S3_ACCESS_KEY_ID: 'AKIA',
        STORAGE_S3_SECRET_ACCESS_KEY: secret,
        STORAGE_S3_ENDPOINT: 'ftp://x',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/STORAGE_S3_ENDPOINT/);
    expect(message).not.toContain(secret);
    expect(() => load({ ...S3, STORAGE_S3_ACCESS_KEY_ID: 'AKIA' })).toThrow(/set together/);
  });
});
