import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import {
  assertStorageKey,
  clampRange,
  ObjectStorage,
  type ByteRange,
  type ObjectContent,
  type ObjectInfo,
} from './object-storage.js';
import type { StorageConfig } from './storage.config.js';

/** Multipart part size (S3's minimum is 5 MiB for every part but the last). */
const PART_BYTES = 8 * 1024 * 1024;

/**
 * Objects in an S3-compatible bucket. A body up to one part is one `PutObject`; a longer one is
 * a multipart upload, one 8 MiB part in memory at a time, aborted when the body fails. Either
 * way S3 shows the object only once it is complete.
 */
export class S3ObjectStorage extends ObjectStorage {
  private readonly bucket: string;
  private readonly logger = new Logger('ObjectStorage');

  constructor(
    config: StorageConfig,
    private readonly client: S3Client = s3Client(config),
  ) {
    super();
    this.bucket = config.STORAGE_S3_BUCKET!;
  }

  async put(key: string, body: Readable | Buffer, contentType: string): Promise<ObjectInfo> {
    assertStorageKey(key);
    const target = { Bucket: this.bucket, Key: key, ContentType: contentType };
    if (Buffer.isBuffer(body)) {
      await this.client.send(new PutObjectCommand({ ...target, Body: body }));
      return { key, size: body.length, contentType };
    }
    const chunks = parts(body);
    const first = await chunks.next();
    const second = first.done ? first : await chunks.next();
    const head = first.done ? Buffer.alloc(0) : first.value;
    if (second.done) {
      await this.client.send(new PutObjectCommand({ ...target, Body: head }));
      return { key, size: head.length, contentType };
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand(target));
    const upload = { Bucket: this.bucket, Key: key, UploadId };
    try {
      const done: CompletedPart[] = [];
      let size = 0;
      const send = async (part: Buffer) => {
        const PartNumber = done.length + 1;
        const { ETag } = await this.client.send(
          new UploadPartCommand({ ...upload, PartNumber, Body: part }),
        );
        done.push({ ETag, PartNumber });
        size += part.length;
      };
      await send(head);
      await send(second.value);
      for await (const part of chunks) await send(part);
      await this.client.send(
        new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: done } }),
      );
      return { key, size, contentType };
    } catch (err) {
      try {
        await this.client.send(new AbortMultipartUploadCommand(upload));
      } catch (abortErr) {
        // Its parts stay (invisible, never an object) until a bucket lifecycle rule expires them.
        this.logger.warn({ err: abortErr, key }, 'could not abort a failed multipart upload');
      }
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertStorageKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: res.ContentLength ?? 0, contentType: res.ContentType ?? OCTET_STREAM };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<ObjectContent | undefined> {
    const info = await this.head(key);
    if (!info) return undefined;
    const clamped = range && clampRange(key, info.size, range);
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(clamped ? { Range: `bytes=${clamped.start}-${clamped.end}` } : {}),
        }),
      );
      const body = res.Body as Readable;
      return { ...info, body, ...(clamped ? { range: clamped } : {}) };
    } catch (err) {
      if (isNotFound(err)) return undefined; // deleted between the two requests
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

const OCTET_STREAM = 'application/octet-stream';

function s3Client(config: StorageConfig): S3Client {
  const id = config.STORAGE_S3_ACCESS_KEY_ID;
  const secret = config.STORAGE_S3_SECRET_ACCESS_KEY;
  return new S3Client({
    region: config.STORAGE_S3_REGION,
    forcePathStyle: config.STORAGE_S3_FORCE_PATH_STYLE,
    ...(config.STORAGE_S3_ENDPOINT ? { endpoint: config.STORAGE_S3_ENDPOINT } : {}),
    ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}),
    // Checksums only where S3 requires them: S3-compatible servers differ in what they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 404 || err.name === 'NotFound' || err.name === 'NoSuchKey')
  );
}

/** The stream re-cut into PART_BYTES buffers (the last one shorter). */
async function* parts(body: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    pending.push(buf);
    length += buf.length;
    while (length >= PART_BYTES) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, PART_BYTES);
      pending = [all.subarray(PART_BYTES)];
      length = all.length - PART_BYTES;
    }
  }
  if (length > 0) yield Buffer.concat(pending);
}
