import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  NestInterceptor,
  OnApplicationShutdown,
} from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { flushTracing, tracingEnabled } from './tracing.js';
import { redactQueryText } from './redact.js';

/** The request's trace id, kept on the request for the problem filter (errors surface outside the span). */
export const TRACE_ID = Symbol('traceId');

/**
 * When tracing is on, runs each HTTP handler in a span named by its route template
 * (`POST /v1/commerce/orders`) — a SERVER span, or a child of the http instrumentation's one
 * when a real socket carried the request. Off: passes straight through.
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor, OnApplicationShutdown {
  /** Last thing at shutdown: export what the batch processor still holds. */
  onApplicationShutdown(): Promise<void> {
    return flushTracing();
  }

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!tracingEnabled() || ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { [TRACE_ID]?: string }>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const route = req.routeOptions?.url ?? req.url.split('?')[0];
    const parent = context.active();
    // A real socket: the http instrumentation's SERVER span learns the route template.
    const server = trace.getSpan(parent);
    server?.updateName(`${req.method} ${route}`).setAttribute('http.route', route);
    const span = trace.getTracer('five-businesses').startSpan(
      `${req.method} ${route}`,
      {
        kind: server ? SpanKind.INTERNAL : SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'http.route': route },
      },
      parent,
    );
    req[TRACE_ID] = span.spanContext().traceId;
    const active = trace.setSpan(parent, span);
    return new Observable((subscriber) =>
      context.with(active, () =>
        next.handle().subscribe({
          next: (v) => subscriber.next(v),
          error: (err: unknown) => {
            span.recordException({
              name: (err as Error)?.name ?? 'Error',
              message: redactQueryText(String((err as Error)?.message ?? err)),
            });
            const status = (err as { getStatus?: () => number }).getStatus?.() ?? 500;
            span.setAttribute('http.response.status_code', status);
            if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
            subscriber.error(err);
          },
          complete: () => {
            span.setAttribute('http.response.status_code', reply.statusCode);
            span.end();
            subscriber.complete();
          },
        }),
      ),
    );
  }
}
