import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, getSchemaPath } from '@nestjs/swagger';
import { PLATFORM_ERRORS, PROBLEM_TYPE_PATH, type ErrorCatalogue } from './error-catalogue.js';
import { ProblemDoc } from './problem.dto.js';

/** @nestjs/swagger's metadata key for `@ApiResponse()` (status → response object). */
const API_RESPONSE = 'swagger/apiResponse';
const PROBLEM_JSON = 'application/problem+json';

interface ProblemExample {
  summary: string;
  value: Record<string, unknown>;
}
interface ProblemResponse {
  description: string;
  content: Record<string, { schema: { $ref: string }; examples: Record<string, ProblemExample> }>;
}

/** What the server answers for `code` (see ProblemFilter): the example a client sees. */
function example(code: string, status: number, detail: string): ProblemExample {
  return {
    summary: detail,
    value: {
      type: `${PROBLEM_TYPE_PATH}${code}`,
      title: title(status),
      status,
      detail,
      code,
      instance: '/v1/…',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    },
  };
}

function title(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .replace(/(^|_)(\w)/g, (_, s: string, c: string) => (s ? ' ' : '') + c.toUpperCase())
    : 'Error';
}

/**
 * Documents the error answers of an operation: per HTTP status one `application/problem+json`
 * response (schema ProblemDoc) with a named example per problem `code` it can return, built from
 * the catalogue (`IDENTITY_ERRORS`, `PLATFORM_ERRORS`, … — spread several into one object).
 * `validated: true` adds `platform.validation_failed` and `platform.bad_request` (unreadable JSON,
 * a bad cursor) — a context does not name the platform's codes itself; `@UuidParam()` documents
 * the `platform.bad_request` of a malformed id. Several `@ApiProblems()` on one operation (and `@Idempotent()`'s) merge their
 * examples, in any decorator order.
 *
 *   @ApiProblems(IDENTITY_ERRORS, ['identity.email_taken'], { validated: true })
 */
export function ApiProblems<C extends string>(
  catalogueOf: ErrorCatalogue<C>,
  codesOf: readonly C[],
  options: { validated?: boolean } = {},
): MethodDecorator & ClassDecorator {
  const catalogue: ErrorCatalogue<string> = { ...catalogueOf, ...PLATFORM_ERRORS };
  const codes: string[] = [
    ...(options.validated ? ['platform.validation_failed', 'platform.bad_request'] : []),
    ...codesOf,
  ];
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const spec = catalogue[code];
    if (!spec) throw new Error(`@ApiProblems: "${code}" is not in the catalogue given`);
    byStatus.set(spec.status, [...(byStatus.get(spec.status) ?? []), code]);
  }
  const additions: Record<string, ProblemResponse> = {};
  for (const [status, group] of byStatus) {
    additions[String(status)] = {
      description: group.map((c) => `\`${c}\`: ${catalogue[c].meaning}`).join(' — '),
      content: {
        [PROBLEM_JSON]: {
          schema: { $ref: getSchemaPath(ProblemDoc) },
          examples: Object.fromEntries(
            group.map((c) => [c, example(c, status, catalogue[c].meaning)]),
          ),
        },
      },
    };
  }
  const merge = (target: object) => {
    const existing = (Reflect.getMetadata(API_RESPONSE, target) ?? {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...existing };
    for (const [status, add] of Object.entries(additions)) {
      const previous = existing[status] as Partial<ProblemResponse> | undefined;
      const earlier = previous?.content?.[PROBLEM_JSON]?.examples;
      merged[status] = earlier
        ? {
            description: `${previous!.description} — ${add.description}`,
            content: {
              [PROBLEM_JSON]: {
                ...add.content[PROBLEM_JSON]!,
                examples: { ...earlier, ...add.content[PROBLEM_JSON]!.examples },
              },
            },
          }
        : add;
    }
    Reflect.defineMetadata(API_RESPONSE, merged, target);
  };
  const decorator = (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    merge(descriptor ? (descriptor.value as object) : target);
    return descriptor;
  };
  return applyDecorators(ApiExtraModels(ProblemDoc), decorator as MethodDecorator);
}
