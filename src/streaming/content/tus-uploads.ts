import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig, toProblem } from '@app/platform';
import { FileStore } from '@tus/file-store';
import { Server, type Upload } from '@tus/server';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { StreamingConfig } from '../streaming.config.js';
import { StreamingError } from '../streaming.error.js';
import { SourceIntake } from './source-intake.js';

export const TUS_PATH = '/v1/streaming/uploads';
/** tus upload ids: UUID v7, like every id here (`namingFunction` below). */
export const TUS_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Staged uploads nobody finished are dropped after this long (tus expiration extension). */
const STAGING_TTL_MS = 24 * 3600_000;

/** `Upload-Metadata`: `key base64,key base64` (tus 1.0 creation extension). */
export function parseUploadMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) out[key] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return out;
}

const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

/** A raw `[name, value, …]` header list without tus's `Access-Control-*` entries. */
function withoutTusCors(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (!/^access-control-/i.test(raw[i]!)) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

/**
 * tus 1.0's preconditions, checked before @tus/server runs so that they answer as problems:
 * `Tus-Resumable: 1.0.0`, and for PATCH one integer `Upload-Offset` and the
 * `application/offset+octet-stream` body.
 */
export function checkTusHeaders(req: IncomingMessage): void {
  if (req.headers['tus-resumable'] !== '1.0.0')
    throw new StreamingError(
      'streaming.tus_version_unsupported',
      'Tus-Resumable must be 1.0.0 (the only version this server speaks).',
    );
  if (req.method !== 'PATCH') return;
  const offset = req.headers['upload-offset'];
  if (typeof offset !== 'string' || !/^\d{1,19}$/.test(offset))
    throw new StreamingError(
      'streaming.tus_request_invalid',
      'Upload-Offset must be given once, as a non-negative integer.',
      { header: 'Upload-Offset' },
    );
  if (req.headers['content-type'] !== 'application/offset+octet-stream')
    throw new StreamingError(
      'streaming.tus_request_invalid',
      'A PATCH sends its bytes as Content-Type: application/offset+octet-stream.',
      { header: 'Content-Type' },
    );
}

const notFound = (id: string) =>
  new StreamingError('streaming.upload_not_found', `No upload ${id.slice(0, 40)} of yours.`);

/**
 * The tus 1.0 server (`@tus/server` + `@tus/file-store`) behind `/v1/streaming/uploads`: parts
 * are staged on disk under DATA_DIR (`tus-staging/`), and a finished upload runs the same accept
 * path as multipart (probe, put through the storage port, one transaction with
 * `streaming.video-uploaded`); the staged file is removed either way. A refused file answers
 * its problem (415/422, `application/problem+json`) to the last PATCH.
 */
@Injectable()
export class TusUploads implements OnModuleInit {
  private readonly logger = new Logger(TusUploads.name);
  readonly store: FileStore;
  private readonly server: Server;

  constructor(
    private readonly intake: SourceIntake,
    private readonly adapterHost: HttpAdapterHost,
    config: StreamingConfig,
    app: AppConfig,
  ) {
    this.store = new FileStore({
      directory: resolve(app.DATA_DIR, 'tus-staging'),
      expirationPeriodInMilliseconds: STAGING_TTL_MS,
    });
    this.server = new Server({
      path: TUS_PATH,
      datastore: this.store,
      maxSize: config.STREAMING_MAX_UPLOAD_BYTES,
      relativeLocation: true,
      disableTerminationForFinishedUploads: true,
      onUploadFinish: (_req, upload) => this.finish(upload),
      onResponseError: (_req, err) => this.asProblem(err),
      namingFunction: () => uuidv7(),
    });
  }

  /** PATCH bodies reach tus untouched (no parser reads them). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || fastify.hasContentTypeParser('application/offset+octet-stream')) return;
    fastify.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) =>
      done(null),
    );
  }

  /** The video an upload is for, or 404 when there is no such upload. */
  async videoOf(uploadId: string): Promise<string> {
    if (!TUS_ID.test(uploadId)) throw notFound(uploadId);
    // The file store answers a missing (404) or expired (410) upload so; anything else is real.
    const upload = await this.store.getUpload(uploadId).catch((err: unknown) => {
      const status = (err as { status_code?: number }).status_code;
      if (status === 404 || status === 410) return undefined;
      throw err;
    });
    const videoId = upload?.metadata?.['videoId'];
    if (!videoId) throw notFound(uploadId);
    return videoId;
  }

  /**
   * Hands the request to @tus/server (the caller checked `checkTusHeaders` first, while it can
   * still answer a problem). Errors tus raises itself (a wrong offset, a file past the limit)
   * are problems too (`asProblem`), sent as `application/problem+json`.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    headers: Record<string, string | number | string[] | undefined>,
  ): Promise<void> {
    // The headers Fastify's hooks set on the reply (rate limit, request id, security, CORS for
    // a listed origin) go out with tus's answer; tus's own CORS headers (`*` to any origin) do
    // not: CORS is the app's decision (CORS_ORIGINS).
    for (const [name, value] of Object.entries(headers))
      if (value !== undefined) res.setHeader(name, value);
    const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => unknown;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      if (status >= 400) res.setHeader('content-type', PROBLEM_JSON);
      const raw = rest.at(-1);
      if (Array.isArray(raw)) rest[rest.length - 1] = withoutTusCors(raw as string[]);
      return writeHead(status, ...rest);
    }) as ServerResponse['writeHead'];
    // srvx (under @tus/server) ends with `res.end(callback)`; light-my-request's response —
    // `app.inject`, which the tests and the fuzzer use — takes the callback only as the third
    // argument (it would write the function as a chunk and never end).
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) =>
      typeof args[0] === 'function'
        ? end(undefined, undefined, args[0])
        : end(...args)) as ServerResponse['end'];
    return this.server.handle(req, res);
  }

  /** A tus error as this API's problem (the status tus chose, mapped to a code). */
  private asProblem(err: Error | { status_code: number; body: string }) {
    const status = 'status_code' in err ? err.status_code : 500;
    const said = 'body' in err ? err.body.trim() : '';
    const error =
      status === 409
        ? new StreamingError('streaming.tus_offset_mismatch', said || 'Upload-Offset conflict.')
        : status === 413
          ? new StreamingError('streaming.upload_too_large', said || 'The upload is too large.')
          : status === 404 || status === 410
            ? new StreamingError('streaming.upload_not_found', said || 'No such upload.')
            : status < 500
              ? new StreamingError('streaming.tus_request_invalid', said || 'Invalid tus request.')
              : err;
    const { problem, internal } = toProblem(error, TUS_PATH);
    if (internal) this.logger.error({ err }, 'tus upload failed');
    return { status_code: problem.status, body: JSON.stringify(problem) };
  }

  private async finish(upload: Upload) {
    const videoId = upload.metadata?.['videoId'];
    const path = upload.storage?.path;
    try {
      if (!videoId || !path) throw notFound(upload.id);
      await this.intake.accept(videoId, path);
      return {};
    } catch (err) {
      const { problem, internal } = toProblem(err, TUS_PATH);
      if (internal)
        this.logger.error({ err, videoId }, 'a finished tus upload could not be accepted');
      return {
        status_code: problem.status,
        headers: { 'Content-Type': 'application/problem+json' },
        body: JSON.stringify(problem),
      };
    } finally {
      await this.store
        .remove(upload.id)
        .catch((err: unknown) =>
          this.logger.error({ err, uploadId: upload.id }, 'could not remove a staged tus upload'),
        );
    }
  }
}
