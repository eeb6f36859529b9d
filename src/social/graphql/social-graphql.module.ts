import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { AppConfig } from '@app/platform';
import type { FastifyRequest } from 'fastify';
import { PostViews } from '../posts/post-views.js';
import { SocialConfig } from '../social.config.js';
import { formatGraphQLErrors } from './graphql-errors.js';
import { GraphQLRequests } from './graphql-requests.js';
import { checkQueryLimits } from './query-limits.js';
import { ScopedMercuriusDriver, type ScopedMercuriusConfig } from './scoped-mercurius.driver.js';

/** What the GraphQL options factory needs: the per-request guard and context. */
@Module({ providers: [GraphQLRequests, PostViews], exports: [GraphQLRequests] })
class GraphQLRequestsModule {}

/** GraphiQL's page loads React and GraphiQL from unpkg (development only). */
const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self' https://unpkg.com",
  "style-src 'self' 'unsafe-inline' https://unpkg.com",
  "img-src 'self' data:",
  "font-src 'self' data: https://unpkg.com",
  "connect-src 'self' https://unpkg.com",
  "worker-src 'self'",
].join('; ');

/**
 * `/graphql` (mercurius, code first: the schema is built in memory from the resolvers at boot,
 * no file is written). Imported by SocialModule, so a process without the social context has
 * no `/graphql`. GraphiQL at `/graphiql` in development only. The limits (depth, cost, `first`)
 * are checked before execution, so an expensive document is refused with 400 before any
 * resolver runs; parsed and validated documents are cached (mercurius' LRU).
 */
export const SocialGraphQLModule = GraphQLModule.forRootAsync<ScopedMercuriusConfig>({
  driver: ScopedMercuriusDriver,
  imports: [GraphQLRequestsModule],
  inject: [AppConfig, SocialConfig, GraphQLRequests],
  useFactory: (app: AppConfig, social: SocialConfig, requests: GraphQLRequests) => {
    const development = app.NODE_ENV === 'development';
    const limits = {
      maxDepth: social.SOCIAL_GRAPHQL_MAX_DEPTH,
      maxCost: social.SOCIAL_GRAPHQL_MAX_COST,
    };
    return {
      path: '/graphql',
      autoSchemaFile: true,
      sortSchema: true,
      graphiql: development,
      ...(development ? { ideContentSecurityPolicy: GRAPHIQL_CSP } : {}),
      // Documents seen twice are compiled (graphql-jit): the feed query a client repeats runs
      // compiled code instead of graphql-js' interpreter.
      jit: 1,
      // Parsing is bounded too (GraphiQL's introspection query has ~300 tokens).
      graphql: { parseOptions: { maxTokens: 10_000 } },
      hooks: {
        preExecution: (_schema, document, _context, variables) =>
          checkQueryLimits(document, variables, limits),
      },
      errorFormatter: formatGraphQLErrors,
      guard: (request, reply) => requests.guard(request, reply),
      context: (request: FastifyRequest) => requests.context(request),
    };
  },
});
