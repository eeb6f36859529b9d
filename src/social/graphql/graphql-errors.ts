import { Logger } from '@nestjs/common';
import { toProblem } from '@app/platform';
import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import { QueryLimitsExceeded } from './query-limits.js';

/** `extensions.code` by HTTP status, in the words GraphQL clients (Apollo's) know. */
const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

interface Formatted {
  status: number;
  error: GraphQLFormattedError;
}

const logger = new Logger('GraphQL');

/** An error that wraps a list (mercurius' validation, the limits): each is reported on its own. */
function wrapped(e: GraphQLError): { status: number; errors: GraphQLError[] } | undefined {
  const original = e.originalError as
    { errors?: unknown; statusCode?: unknown; code?: unknown } | undefined;
  const list =
    original instanceof QueryLimitsExceeded ||
    (typeof original?.code === 'string' && original.code.startsWith('MER_ERR_'));
  if (!list || !Array.isArray(original.errors)) return undefined;
  return {
    status: typeof original.statusCode === 'number' ? original.statusCode : 400,
    errors: original.errors as GraphQLError[],
  };
}

function format(e: GraphQLError, status?: number): Formatted {
  const where = {
    ...(e.locations ? { locations: e.locations } : {}),
    ...(e.path ? { path: e.path } : {}),
  };
  const original = e.originalError as
    (Error & { statusCode?: unknown; code?: unknown }) | undefined;
  const fromGraphQL =
    !original ||
    original.name === 'GraphQLError' ||
    (typeof original.code === 'string' && original.code.startsWith('MER_ERR_'));
  if (fromGraphQL) {
    // The document or its variables (syntax, unknown field, wrong type, limits): the client's.
    const s = status ?? (typeof original?.statusCode === 'number' ? original.statusCode : 400);
    const code = s === 400 ? 'GRAPHQL_VALIDATION_FAILED' : (CODES[s] ?? 'BAD_REQUEST');
    return { status: s, error: { message: e.message, ...where, extensions: { code } } };
  }
  // Thrown by the context, a loader or a resolver: the REST problem mapping decides what is
  // shown (an AppError's detail, a fixed text for anything unexpected, which is logged).
  const { problem, internal } = toProblem(original);
  if (internal) logger.error({ err: original }, 'unhandled error in a GraphQL request');
  const errors = problem.errors;
  return {
    status: problem.status,
    error: {
      message: problem.detail,
      ...where,
      extensions: {
        code: CODES[problem.status] ?? 'INTERNAL_SERVER_ERROR',
        problem: problem.code,
        ...(errors ? { errors } : {}),
      },
    },
  };
}

/**
 * Mercurius' `errorFormatter`: every error gets `extensions.code` (and `problem`, the REST
 * problem code, when the API raised it). The HTTP status is the first error's when there is no
 * data at all (401 without a token, 400 for a document over the limits, 429, 503); with data,
 * 400 when an argument was refused, else 200 (GraphQL's partial results).
 */
export function formatGraphQLErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
): {
  statusCode: number;
  response: ExecutionResult;
} {
  const formatted = execution.errors.flatMap((e) => {
    const list = wrapped(e);
    return list ? list.errors.map((inner) => format(inner, list.status)) : [format(e)];
  });
  const statusCode =
    execution.data == null
      ? (formatted[0]?.status ?? 400)
      : formatted.some((f) => f.status === 400)
        ? 400
        : 200;
  return {
    statusCode,
    response: {
      data: execution.data ?? null,
      errors: formatted.map((f) => f.error) as unknown as GraphQLError[],
    },
  };
}
