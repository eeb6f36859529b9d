import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import fastifyMultipart, { type Multipart } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { PlatformError } from './app-error.js';
import { ValidationFailed } from './validation.js';

const MULTIPART = 'multipart/form-data';

/**
 * Registers `@fastify/multipart` once on the Fastify instance. Only routes marked
 * `@MultipartUpload()` accept a multipart body; every other route answers it 415, as before
 * (the JSON parser is the only other one).
 */
export async function registerMultipart(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyMultipart, {
    limits: {
      fieldNameSize: 100,
      fieldSize: 1024,
      fields: 10,
      files: 1,
      parts: 11,
      headerPairs: 50,
    },
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const config = request.routeOptions.config as { multipart?: boolean } | undefined;
    if (request.isMultipart() && !config?.multipart) {
      return done(
        new PlatformError(
          'platform.unsupported_media_type',
          415,
          'The request content type is not supported; send application/json.',
        ),
      );
    }
    done();
  });
}

/**
 * Marks a route as taking one file upload (`multipart/form-data`, the file in `field`) and
 * documents its body so Swagger UI's "Try it out" offers a file picker. `maxBytes` is the
 * documented bound of the file (the limit the route enforces with its default settings).
 */
export function MultipartUpload(field: string, description: string, maxBytes: number) {
  return applyDecorators(
    RouteConfig({ multipart: true }),
    ApiConsumes(MULTIPART),
    ApiBody({
      required: true,
      schema: {
        type: 'object',
        required: [field],
        properties: {
          [field]: { type: 'string', format: 'binary', maxLength: maxBytes, description },
        },
      },
    }),
  );
}

/** The upload's file: its bytes as they arrive, counted against a limit that may be lowered. */
export interface UploadedFile {
  /** The client's name for it (for logs at most: never trust it for the type). */
  filename: string;
  /** The bytes; it fails with the `tooLarge` error once more than the limit arrive. */
  stream: Readable;
  /** Lowers (or raises, up to the first limit) the byte limit, e.g. once the type is known. */
  limitTo(maxBytes: number): void;
}

export interface FileLimits {
  maxBytes: number;
  /** The error a file over `maxBytes` fails with (a context's 413 problem). */
  tooLarge: (maxBytes: number) => Error;
}

/** A multipart form with one file (the `@Upload()` parameter of a `@MultipartUpload()` route). */
export class MultipartForm {
  private parts?: AsyncIterator<Multipart>;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
  ) {}

  /**
   * The file sent in `field`: 415 when the body is not multipart, 400 (naming the field) when
   * no file or another field comes first or the body is malformed.
   */
  async file(field: string, limits: FileLimits): Promise<UploadedFile> {
    if (!this.request.isMultipart())
      throw new PlatformError(
        'platform.unsupported_media_type',
        415,
        `Send ${MULTIPART} with the file in the field \`${field}\`.`,
      );
    // One byte past the limit reaches the counter, which fails; busboy truncates silently.
    this.parts = this.request
      .parts({ limits: { fileSize: limits.maxBytes + 1 } })
      [Symbol.asyncIterator]();
    const next = await this.next();
    if (!next || next.type !== 'file' || next.fieldname !== field)
      throw new ValidationFailed([
        { field, messages: [`${field} must be the form's first part, a file`] },
      ]);
    let maxBytes = limits.maxBytes;
    let seen = 0;
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        seen += chunk.length;
        if (seen <= maxBytes) return callback(null, chunk);
        // Stop reading now; the rest of the body is not waited for.
        void this.reply.header('connection', 'close');
        callback(limits.tooLarge(maxBytes));
      },
    });
    const source = next.file;
    source.on('error', (err) => counter.destroy(malformed(err) as Error));
    // A reader that gives up (an error, an unreadable image) ends the upload: busboy stops.
    counter.on('close', () => {
      if (!source.readableEnded) source.destroy();
    });
    source.pipe(counter);
    return {
      filename: next.filename,
      stream: counter,
      limitTo: (n) => {
        maxBytes = Math.min(n, limits.maxBytes);
        if (seen > maxBytes) counter.destroy(limits.tooLarge(maxBytes));
      },
    };
  }

  /** After the file is read: 400 when the form holds anything more. */
  async end(field: string): Promise<void> {
    if (await this.next())
      throw new ValidationFailed([
        { field, messages: [`send only one part: the file in ${field}`] },
      ]);
  }

  private async next() {
    try {
      const r = await this.parts!.next();
      return r.done ? undefined : r.value;
    } catch (err) {
      throw malformed(err);
    }
  }
}

/**
 * Fastify's own multipart errors (a limit: 413) stand, but for a second file (400); busboy's
 * parse errors become a 400.
 */
function malformed(err: unknown): unknown {
  const e = err as { statusCode?: unknown; code?: unknown };
  if (e?.code === 'FST_FILES_LIMIT')
    return new PlatformError('platform.bad_request', 400, 'Send one file per request.');
  if (typeof e?.statusCode === 'number' && typeof e.code === 'string' && e.code.startsWith('FST_'))
    return err;
  return new PlatformError('platform.bad_request', 400, 'The multipart body is malformed.');
}

/** The multipart form of a `@MultipartUpload()` route. */
export const Upload = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const http = ctx.switchToHttp();
  return new MultipartForm(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
});
