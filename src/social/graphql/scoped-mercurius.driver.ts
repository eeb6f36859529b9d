import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import mercurius from 'mercurius';

export interface ScopedMercuriusConfig extends MercuriusDriverConfig {
  /** Runs before the `/graphql` handlers (GET and POST): rate limit and authentication. */
  guard: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The Content-Security-Policy of the GraphiQL pages when they are served (development). */
  ideContentSecurityPolicy?: string;
}

/**
 * `@nestjs/mercurius`' driver, with mercurius registered inside a Fastify scope of its own.
 * Mercurius installs an error handler on the instance it is given; on the root instance that
 * handler replaced the one Nest installs for every REST route (a malformed JSON body sent to a
 * REST route would be answered in GraphQL's shape). In its own scope it only answers for
 * `/graphql`, where a guard hook also runs before the handler (the global Nest guards never see
 * mercurius' routes). Of the driver's hooks only `preExecution` is used, hence registered; no
 * mercurius plugins are.
 */
export class ScopedMercuriusDriver extends MercuriusDriver {
  override start(options: ScopedMercuriusConfig): Promise<void> {
    const { guard, ideContentSecurityPolicy: csp, plugins: _p, hooks, ...rest } = options;
    const path = rest.path ?? '/graphql';
    const app = this.httpAdapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Not awaited: awaiting loads the plugin queue now, in onModuleInit, which built Nest's
    // routes before Nest installs its error handler (after every onModuleInit), and every REST
    // error raised before routing (malformed JSON) was then answered by Fastify's default
    // handler instead of problem+json. Queued, it loads with `ready()`; a failure fails `ready()`.
    void app.register(async (scope: FastifyInstance) => {
      scope.addHook('preHandler', async (request, reply) => {
        if (request.routeOptions.url === path) await guard(request, reply);
      });
      if (csp) {
        // GraphiQL loads React and GraphiQL from unpkg; the API's own policy allows only 'self'.
        scope.addHook('onSend', async (request, reply, payload) => {
          if (request.url.startsWith('/graphiql'))
            void reply.header('content-security-policy', csp);
          return payload;
        });
      }
      await scope.register(mercurius, rest);
      const preExecution = hooks?.preExecution;
      for (const hook of Array.isArray(preExecution)
        ? preExecution
        : preExecution
          ? [preExecution]
          : [])
        scope.graphql.addHook('preExecution', hook);
    });
    return Promise.resolve();
  }
}
