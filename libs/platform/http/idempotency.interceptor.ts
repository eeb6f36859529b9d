import {
  applyDecorators,
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { catchError, from, lastValueFrom, Observable, of } from 'rxjs';
import { AppConfig } from '../config/app-config.js';
import { InjectRedis, RedisKeys } from '../redis/redis.module.js';
import { AppError, PlatformError } from './app-error.js';
import { PLATFORM_ERRORS } from './error-catalogue.js';
import { ApiProblems } from './problem-responses.decorator.js';

type Stored =
  | { state: 'in-flight'; fingerprint: string }
  | {
      state: 'done';
      fingerprint: string;
      status: number;
      body: unknown;
      error?: { code: string; detail: string; extensions: Record<string, unknown> };
    };

/** How long a first request may hold its key before a crash is assumed and the key freed. */
const IN_FLIGHT_TTL_MS = 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` semantics (ARCHITECTURE §6), backed by Redis:
 * - first request with a key runs and its response is stored for IDEMPOTENCY_TTL_SECONDS (24 h);
 * - same key + same request → the stored response again, with `Idempotent-Replayed: true`;
 * - same key + different request (method, path or body) → 422;
 * - same key while the first is still running → 409 (retry later);
 * - validation (400), auth (401/403), rate-limit (429) failures and 5xx are not stored (the key
 *   is released so a corrected retry can use it); other business errors (402, 404, 409, 422…)
 *   are stored and replayed, because the operation ran.
 * Keys are scoped per caller and route, so two users can never collide. The database's unique
 * constraint on the business id remains the permanent guard behind this cache: after the cache
 * expired or Redis lost it (restarted empty), a replay runs the handler again and the database
 * answers with what the first request made (orders: (customer, key); top-ups: the key;
 * transfers: `reference`, which defaults to the key).
 *
 * Redis unreachable: the key cannot be claimed, so the request is refused with 503 before the
 * handler runs (fail closed: never an unguarded execution). A response that ran but could not be
 * stored is still answered; its replay is decided by the database as above.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.handle(ctx, next));
  }

  private async handle(ctx: ExecutionContext, next: CallHandler): Promise<unknown> {
    const request = ctx
      .switchToHttp()
      .getRequest<FastifyRequest & { principal?: { userId: string } }>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers['idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined) {
      throw new PlatformError(
        'platform.idempotency_key_missing',
        400,
        'This endpoint requires an Idempotency-Key header.',
      );
    }
    if (!KEY_PATTERN.test(key)) {
      throw new PlatformError(
        'platform.idempotency_key_invalid',
        400,
        'Idempotency-Key must be 1–255 visible ASCII characters.',
      );
    }
    const route = request.routeOptions?.url ?? request.url;
    const scope = `${request.principal?.userId ?? 'anonymous'}:${request.method}:${route}`;
    const redisKey = this.keys.for('platform').key('idem', sha256(scope), sha256(key));
    const fingerprint = sha256(
      JSON.stringify([request.method, request.url, canonical(request.body)]),
    );

    // One round trip: claim the key, or get what the first request stored (SET NX GET, Redis 7).
    let previous: string | null;
    try {
      previous = (await this.redis.call(
        'SET',
        redisKey,
        JSON.stringify({ state: 'in-flight', fingerprint } satisfies Stored),
        'PX',
        String(IN_FLIGHT_TTL_MS),
        'NX',
        'GET',
      )) as string | null;
    } catch {
      throw new PlatformError(
        'platform.unavailable',
        503,
        'Idempotency keys cannot be checked right now; retry shortly with the same key.',
      );
    }
    if (previous !== null) return this.replay(previous, fingerprint, reply);
    // Storing the outcome is best effort: the operation ran, and the database decides a replay.
    const remember = (stored: Stored | undefined) =>
      (stored
        ? this.redis.set(
            redisKey,
            JSON.stringify(stored),
            'PX',
            this.config.IDEMPOTENCY_TTL_SECONDS * 1000,
          )
        : this.redis.del(redisKey)
      ).then(
        () => undefined,
        (err: unknown) =>
          this.logger.warn({ err: String(err) }, 'could not store an idempotent outcome'),
      );

    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, ctx.getHandler()) as number | undefined) ??
      (request.method === 'POST' ? 201 : 200);
    return lastValueFrom(
      next.handle().pipe(
        catchError(async (err: unknown) => {
          if (
            err instanceof AppError &&
            err.status < 500 &&
            ![400, 401, 403, 429].includes(err.status)
          ) {
            await remember({
              state: 'done',
              fingerprint,
              status: err.status,
              body: null,
              error: { code: err.code, detail: err.detail, extensions: err.extensions },
            });
          } else {
            await remember(undefined);
          }
          throw err;
        }),
      ),
      { defaultValue: undefined },
    ).then(async (body) => {
      await remember({ state: 'done', fingerprint, status, body: body ?? null });
      return body;
    });
  }

  private replay(raw: string, fingerprint: string, reply: FastifyReply): Promise<unknown> {
    const stored = JSON.parse(raw) as Stored;
    if (stored.fingerprint !== fingerprint) {
      throw new PlatformError(
        'platform.idempotency_key_reused',
        422,
        'This Idempotency-Key was already used with a different request.',
      );
    }
    if (stored.state === 'in-flight') {
      void reply.header('retry-after', '1');
      throw new PlatformError(
        'platform.idempotency_in_flight',
        409,
        'A request with this Idempotency-Key is in progress; retry shortly.',
      );
    }
    void reply.header('idempotent-replayed', 'true');
    if (stored.error)
      throw new AppError(
        stored.error.code,
        stored.status,
        stored.error.detail,
        stored.error.extensions,
      );
    return lastValueFrom(of(stored.body));
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}

/** JSON with sorted keys, so `{a,b}` and `{b,a}` are the same request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value ?? null;
}

/**
 * The example every `Idempotency-Key` parameter carries: a UUID v7 computed at boot, so Swagger
 * UI's "Try it out" pre-fills a key nobody has used before this process started (change it for
 * each new operation: the same key and body replay the first answer).
 */
export const IDEMPOTENCY_KEY_EXAMPLE = uuidv7();

/**
 * Marks a route idempotent: requires `Idempotency-Key`, and documents the header (once, as the
 * only header parameter of that name) and the 409/422 answers in OpenAPI. The handler must make
 * the key (or a business key) unique in the database too: Redis is only the replay cache. Read the key in the
 * handler with `@IdempotencyKey()`, never with `@Headers('idempotency-key')`: that would
 * document a second, lower-case parameter and Swagger UI would send `k, k`.
 */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description:
        'Unique per intended operation (a UUID; 1–255 visible ASCII characters). The same key ' +
        'with the same request replays the first response for 24 h (`Idempotent-Replayed: true`); ' +
        'with a different request it is refused (422).',
      // What the server accepts (1–255 visible ASCII); a UUID is what clients should send.
      schema: {
        type: 'string',
        format: 'uuid',
        minLength: 1,
        maxLength: 255,
        example: IDEMPOTENCY_KEY_EXAMPLE,
      },
    }),
    ApiProblems(PLATFORM_ERRORS, [
      'platform.idempotency_key_missing',
      'platform.idempotency_key_invalid',
      'platform.idempotency_in_flight',
      'platform.idempotency_key_reused',
    ]),
  );

/**
 * The `Idempotency-Key` of an `@Idempotent()` route (already checked by its interceptor). Adds
 * nothing to the OpenAPI document: `@Idempotent()` documents the header.
 */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  return (Array.isArray(header) ? header[0] : header) ?? '';
});
