import {
  applyDecorators,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { AppError } from '@app/platform';
import type { FastifyReply } from 'fastify';
import { catchError, throwError, type Observable } from 'rxjs';

/** @nestjs/swagger's metadata key for `@ApiResponse()` (status → response object). */
const API_RESPONSE = 'swagger/apiResponse';

/**
 * Sends the `Retry-After` header of a 429 a handler threw with a `retryAfter` (seconds): the
 * platform's problem filter writes the body only.
 */
@Injectable()
class RetryAfterHeader implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: unknown) => {
        const seconds = err instanceof AppError ? err.extensions.retryAfter : undefined;
        if (typeof seconds === 'number')
          void context
            .switchToHttp()
            .getResponse<FastifyReply>()
            .header('retry-after', String(seconds));
        return throwError(() => err);
      }),
    );
  }
}

/**
 * For an operation that can answer its own 429 (its code documented with `@ApiProblems` below
 * this decorator): sends `Retry-After`, and documents the header on that 429.
 */
export function RetryAfter(): MethodDecorator {
  const header: MethodDecorator = (_target, _key, descriptor) => {
    const responses = (Reflect.getMetadata(API_RESPONSE, descriptor.value as object) ??
      {}) as Record<string, { headers?: object }>;
    const tooMany = responses['429'];
    if (!tooMany) throw new Error('@RetryAfter(): document the operation’s 429 with @ApiProblems');
    tooMany.headers = { 'Retry-After': { $ref: '#/components/headers/Retry-After' } };
    return descriptor;
  };
  return applyDecorators(UseInterceptors(RetryAfterHeader), header);
}
