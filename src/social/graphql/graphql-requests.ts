import { Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  AccessTokens,
  PlatformError,
  type PlatformErrorCode,
  type Principal,
  type TokenRejection,
} from '@app/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { PostViews } from '../posts/post-views.js';
import { SocialLoaders } from './social-loaders.js';

/** What every resolver receives: this request's loaders, for the viewer who asks. */
export interface SocialGraphQLContext {
  readonly loaders: SocialLoaders;
}

/** The REST guard's answers to a refused token, word for word. */
const REJECTIONS = {
  expired: ['platform.unauthorized', 401, 'The access token has expired.'],
  invalid: ['platform.unauthorized', 401, 'The access token is invalid.'],
  revoked: [
    'platform.session_revoked',
    401,
    'The session of this access token has ended; log in again.',
  ],
  unavailable: [
    'platform.unavailable',
    503,
    'Sessions cannot be checked right now; retry shortly.',
  ],
} as const satisfies Record<TokenRejection['error'], [PlatformErrorCode, number, string]>;

const PRINCIPAL = Symbol('graphql principal');
type GuardedRequest = FastifyRequest & { [PRINCIPAL]?: Principal };

/**
 * The HTTP side of `/graphql`, which is a Fastify route of mercurius and not a Nest controller,
 * so the global guards do not see it: the same rate limit as every REST route (its own bucket
 * per client address, `RATE_LIMIT_PER_MINUTE`, the shared Redis counters) and the same bearer
 * access token, checked by the platform's `AccessTokens` before the document is even parsed.
 */
@Injectable()
export class GraphQLRequests {
  constructor(
    private readonly tokens: AccessTokens,
    @InjectDataSource() private readonly db: DataSource,
    private readonly views: PostViews,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    @InjectThrottlerOptions() private readonly throttling: ThrottlerModuleOptions,
  ) {}

  /** Runs before the GraphQL handler; throws a 429, 401 or 503 the error formatter words. */
  async guard(request: GuardedRequest, reply: FastifyReply): Promise<void> {
    await this.throttle(request, reply);
    request[PRINCIPAL] = await this.authenticate(request);
  }

  /**
   * Mercurius' context: this request's loaders for the principal `guard` left on the request.
   * It never throws: mercurius builds it again to format an error the guard raised.
   */
  context(request: GuardedRequest): SocialGraphQLContext {
    const principal = request[PRINCIPAL];
    let loaders: SocialLoaders | undefined;
    const build = () => {
      // Only without the guard (a route mercurius added that the guard does not cover).
      if (!principal) {
        throw new PlatformError('platform.unauthorized', 401, 'A bearer access token is required.');
      }
      return (loaders ??= new SocialLoaders(this.db, this.views, principal.userId));
    };
    return {
      get loaders() {
        return build();
      },
    };
  }

  private async authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match) {
      throw new PlatformError('platform.unauthorized', 401, 'A bearer access token is required.');
    }
    const result = await this.tokens.verify(match[1]!);
    if (!('error' in result)) return result;
    const [code, status, detail] = REJECTIONS[result.error];
    throw new PlatformError(code, status, detail);
  }

  private async throttle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const throttlers = Array.isArray(this.throttling)
      ? this.throttling
      : this.throttling.throttlers;
    const tracker = normalizeIp(request.ip);
    for (const t of throttlers) {
      if (typeof t.limit !== 'number' || typeof t.ttl !== 'number') continue;
      const name = t.name ?? 'default';
      const block = typeof t.blockDuration === 'number' ? t.blockDuration : t.ttl;
      const hit = await this.storage.increment(`graphql-${tracker}`, t.ttl, t.limit, block, name);
      if (hit.isBlocked) {
        void reply.header('retry-after', String(hit.timeToBlockExpire));
        throw new PlatformError('platform.rate_limited', 429, 'Too many requests; retry later.', {
          retryAfter: hit.timeToBlockExpire,
        });
      }
      void reply
        .header('x-ratelimit-limit', t.limit)
        .header('x-ratelimit-remaining', Math.max(0, t.limit - hit.totalHits))
        .header('x-ratelimit-reset', hit.timeToExpire);
    }
  }
}
