import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import S3rver from 's3rver';
import { LocalObjectStorage } from './local-storage.js';
import { ObjectStorage, RangeNotSatisfiable } from './object-storage.js';
import { S3ObjectStorage } from './s3-storage.js';
import { StorageConfig } from './storage.config.js';

/** A body that sends `bytes` in 64 KiB chunks, then fails. */
function failingAfter(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return this.destroy(new Error('client went away'));
      const n = Math.min(65_536, bytes - sent);
      sent += n;
      this.push(Buffer.alloc(n, 7));
    },
  });
}

/** `bytes` in 1 MiB chunks, byte i = i mod 251. */
function patterned(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = i % 251;
  return b;
}

async function bytesOf(
  storage: ObjectStorage,
  key: string,
  range?: { start: number; end: number },
) {
  const got = await storage.get(key, range);
  if (!got) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of got.body) chunks.push(c as Buffer);
  return { ...got, bytes: Buffer.concat(chunks) };
}

/** The port's contract, held to each adapter. */
function contract(name: string, make: () => ObjectStorage, multipart: boolean) {
  describe(`ObjectStorage contract: ${name}`, () => {
    let s: ObjectStorage;
    beforeAll(() => {
      s = make();
    });
    const key = (k: string) => `test/${name}/${k}`;

    it('stores a buffer and reads it back with its size and type', async () => {
      const info = await s.put(key('a.txt'), Buffer.from('hello world'), 'text/plain');
      expect(info).toEqual({ key: key('a.txt'), size: 11, contentType: 'text/plain' });
      expect(await s.head(key('a.txt'))).toEqual(info);
      const got = await bytesOf(s, key('a.txt'));
      expect(got?.bytes.toString()).toBe('hello world');
      expect(got?.contentType).toBe('text/plain');
      expect(got?.range).toBeUndefined();
    });

    it('stores a stream (several parts on S3) and reads ranges of it', async () => {
      const size = multipart ? 9 * 1024 * 1024 + 123 : 300_000;
      const data = patterned(size);
      const chunks = Array.from({ length: Math.ceil(size / 1_000_000) }, (_, i) =>
        data.subarray(i * 1_000_000, (i + 1) * 1_000_000),
      );
      const info = await s.put(key('big.bin'), Readable.from(chunks), 'video/mp4');
      expect(info.size).toBe(size);
      expect((await bytesOf(s, key('big.bin')))!.bytes.equals(data)).toBe(true);
      const mid = await bytesOf(s, key('big.bin'), { start: 1000, end: 1999 });
      expect(mid!.range).toEqual({ start: 1000, end: 1999 });
      expect(mid!.size).toBe(size);
      expect(mid!.bytes.equals(data.subarray(1000, 2000))).toBe(true);
      const tail = await bytesOf(s, key('big.bin'), { start: size - 10, end: size + 1000 });
      expect(tail!.range).toEqual({ start: size - 10, end: size - 1 });
      expect(tail!.bytes.equals(data.subarray(size - 10))).toBe(true);
      await expect(s.get(key('big.bin'), { start: size, end: size + 5 })).rejects.toBeInstanceOf(
        RangeNotSatisfiable,
      );
    });

    it('answers undefined for a missing key, and deleting one is no error', async () => {
      expect(await s.head(key('nothing'))).toBeUndefined();
      expect(await s.get(key('nothing'))).toBeUndefined();
      await expect(s.delete(key('nothing'))).resolves.toBeUndefined();
    });

    it('overwrites, then deletes', async () => {
      await s.put(key('o'), Buffer.from('one'), 'text/plain');
      await s.put(key('o'), Readable.from([Buffer.from('second')]), 'application/json');
      const got = await bytesOf(s, key('o'));
      expect([got?.bytes.toString(), got?.contentType]).toEqual(['second', 'application/json']);
      await s.delete(key('o'));
      expect(await s.head(key('o'))).toBeUndefined();
    });

    it('a failed write leaves nothing, and an existing object as it was', async () => {
      await expect(s.put(key('f'), failingAfter(200_000), 'image/png')).rejects.toThrow(
        'client went away',
      );
      expect(await s.head(key('f'))).toBeUndefined();
      await s.put(key('g'), Buffer.from('kept'), 'text/plain');
      const big = multipart ? 9 * 1024 * 1024 : 100_000; // past one part on S3: a multipart upload
      await expect(s.put(key('g'), failingAfter(big), 'text/plain')).rejects.toThrow(
        'client went away',
      );
      expect(await text((await s.get(key('g')))!.body)).toBe('kept');
    });

    it('refuses keys that could leave its space', async () => {
      for (const bad of ['../x', 'nocontext', 'a/../../b', 'a/.hidden', '/abs/x', 'a//b'])
        await expect(s.put(bad, Buffer.from('x'), 'text/plain')).rejects.toThrow(
          /invalid storage key/,
        );
    });
  });
}

const localRoot = mkdtempSync(join(tmpdir(), 'storage-local-'));
contract('local', () => new LocalObjectStorage(localRoot), false);

describe('local adapter', () => {
  it('leaves no temp file behind after failed writes', () => {
    expect(readdirSync(join(localRoot, '.tmp'))).toEqual([]);
  });
});

let s3rver: S3rver | undefined;
const s3Dir = mkdtempSync(join(tmpdir(), 'storage-s3rver-'));
let s3Storage: S3ObjectStorage;
beforeAll(async () => {
  s3rver = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: s3Dir,
    configureBuckets: [{ name: 'contract' }],
  });
  const { port } = await s3rver.run();
  const config = Object.assign(new StorageConfig(), {
    STORAGE_DRIVER: 's3',
    STORAGE_S3_BUCKET: 'contract',
    STORAGE_S3_ENDPOINT: `http://127.0.0.1:${port}`,
    STORAGE_S3_FORCE_PATH_STYLE: true,
    STORAGE_S3_ACCESS_KEY_ID: 'S3RVER',
    STORAGE_S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
  s3Storage = new S3ObjectStorage(config);
});
afterAll(async () => {
  await s3rver?.close();
  rmSync(s3Dir, { recursive: true, force: true });
  rmSync(localRoot, { recursive: true, force: true });
});
contract('s3', () => s3Storage, true);
