import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { v7 as uuidv7 } from 'uuid';
import {
  assertStorageKey,
  clampRange,
  ObjectStorage,
  type ByteRange,
  type ObjectContent,
  type ObjectInfo,
} from './object-storage.js';

const OCTET_STREAM = 'application/octet-stream';

/**
 * Objects as files under a root directory: `<root>/<key>`, its content type beside it in
 * `.<name>.type` (no key segment starts with `.`, so the two never collide). A write goes to
 * `<root>/.tmp/` and is renamed into place (atomic on one filesystem), so a reader sees the old
 * object or the new one, never a part; a failed write removes its temp file.
 */
export class LocalObjectStorage extends ObjectStorage {
  constructor(private readonly root: string) {
    super();
  }

  private path(key: string): string {
    assertStorageKey(key);
    return join(this.root, key);
  }

  private typePath(path: string): string {
    return join(dirname(path), `.${basename(path)}.type`);
  }

  async put(key: string, body: Readable | Buffer, contentType: string): Promise<ObjectInfo> {
    const path = this.path(key);
    const tmpDir = join(this.root, '.tmp');
    await Promise.all([
      mkdir(tmpDir, { recursive: true }),
      mkdir(dirname(path), { recursive: true }),
    ]);
    const tmp = join(tmpDir, uuidv7());
    const tmpType = `${tmp}.type`;
    try {
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      await pipeline(source, createWriteStream(tmp, { flags: 'wx' }));
      await writeFile(tmpType, contentType);
      // The type first: an object present under its key always has its own type beside it.
      await rename(tmpType, this.typePath(path));
      await rename(tmp, path);
    } catch (err) {
      await Promise.all([rm(tmp, { force: true }), rm(tmpType, { force: true })]);
      throw err;
    }
    return { key, size: (await stat(path)).size, contentType };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.path(key);
    const size = await sizeOf(path);
    if (size === undefined) return undefined;
    return { key, size, contentType: await this.typeOf(path) };
  }

  async get(key: string, range?: ByteRange): Promise<ObjectContent | undefined> {
    const info = await this.head(key);
    if (!info) return undefined;
    const clamped = range && clampRange(key, info.size, range);
    const body = createReadStream(this.path(key), clamped ?? {});
    return { ...info, body, ...(clamped ? { range: clamped } : {}) };
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    await rm(path, { force: true });
    await rm(this.typePath(path), { force: true });
  }

  private async typeOf(path: string): Promise<string> {
    try {
      return (await readFile(this.typePath(path), 'utf8')) || OCTET_STREAM;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return OCTET_STREAM;
      throw err;
    }
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}
