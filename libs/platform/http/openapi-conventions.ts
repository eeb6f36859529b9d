import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam, type OpenAPIObject } from '@nestjs/swagger';
import * as v from 'class-validator';
import { getMetadataStorage } from 'class-validator';
import { PLATFORM_ERRORS } from './error-catalogue.js';
export { ContextSchema } from './context-schema.js';
import { ApiProblems } from './problem-responses.decorator.js';

/**
 * The conventions every context's part of the OpenAPI document follows, applied by the platform
 * so a new context gets them without thinking about it:
 *
 * - **Constraints come from the validators.** The limits the server enforces (class-validator's
 *   `@MaxLength`, `@Matches`, `@Min`, `@IsInt`, `@IsIn`, `@IsUUID`…) are copied into the
 *   document, so it cannot drift from what the server accepts — what the `@nestjs/swagger` CLI
 *   plugin's class-validator shim does at compile time, done at boot (the plugin does not run
 *   under vitest, and the served document must be the same in tests and in production).
 * - **Operation ids are `<context>_<verb><Noun>`**: the controller method's name, prefixed with
 *   its tag (the context), e.g. `commerce_placeOrder` — stable names for generated clients.
 * - **Schema names are namespaced** by context (`@ContextSchema('commerce')` →
 *   `commerce.OrderResponse`), so two contexts' `AccountResponse` can never be merged into one.
 */

type Constraints = Record<string, unknown>;
/** The fields of class-validator's (unexported) ValidationMetadata this file reads. */
interface ValidationMetadata {
  type: string;
  name?: string;
  propertyName: string;
  constraints: unknown[];
  each: boolean;
}
type Rule = (m: ValidationMetadata) => Constraints;

const INT32_MAX = 2_147_483_647;
const UUID_LENGTH = 36;

/** class-validator decorator name → the JSON Schema keywords it implies. */
const RULES: Record<string, Rule> = {
  [v.MAX_LENGTH]: (m) => ({ maxLength: m.constraints[0] }),
  [v.MIN_LENGTH]: (m) => ({ minLength: m.constraints[0] }),
  [v.IS_LENGTH]: (m) => ({
    minLength: m.constraints[0],
    ...(m.constraints[1] !== undefined ? { maxLength: m.constraints[1] } : {}),
  }),
  [v.MATCHES]: (m) => ({ pattern: patternSource(m.constraints[0]) }),
  [v.MIN]: (m) => ({ minimum: m.constraints[0] }),
  [v.MAX]: (m) => ({ maximum: m.constraints[0] }),
  [v.IS_INT]: () => ({ type: 'integer' }),
  [v.IS_IN]: (m) => ({ enum: m.constraints[0] }),
  [v.IS_ENUM]: (m) => ({ enum: Object.values(m.constraints[0] as object) }),
  [v.IS_UUID]: () => ({ format: 'uuid', minLength: UUID_LENGTH, maxLength: UUID_LENGTH }),
  [v.IS_EMAIL]: () => ({ format: 'email' }),
  [v.IS_URL]: () => ({ format: 'uri' }),
  [v.IS_ISO8601]: () => ({ format: 'date-time' }),
  [v.IS_DATE_STRING]: () => ({ format: 'date-time' }),
  [v.IS_ISO4217_CURRENCY_CODE]: () => ({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 }),
  [v.ARRAY_MAX_SIZE]: (m) => ({ maxItems: m.constraints[0] }),
  [v.ARRAY_MIN_SIZE]: (m) => ({ minItems: m.constraints[0] }),
  [v.ARRAY_NOT_EMPTY]: () => ({ minItems: 1 }),
  [v.IS_BOOLEAN]: () => ({ type: 'boolean' }),
};

function patternSource(pattern: unknown): string {
  return pattern instanceof RegExp ? pattern.source : String(pattern);
}

/** The integer format its bounds need: int32 when they fit, else int64 (money, counters). */
function integerFormat(schema: Constraints): string {
  const bounds = [schema.minimum, schema.maximum].filter((v) => typeof v === 'number');
  return bounds.length === 2 && bounds.every((v) => Math.abs(v) <= INT32_MAX) ? 'int32' : 'int64';
}

const PROPERTY_METADATA = 'swagger/apiModelProperties';
const PROPERTY_LIST = 'swagger/apiModelPropertiesArray';

/**
 * Copies every class-validator constraint into the swagger property metadata of its class, as
 * if `@ApiProperty` had declared it. What `@ApiProperty` states explicitly wins (an example, a
 * description, an explicit `type`). Runs before `SwaggerModule.createDocument`; idempotent.
 */
export function documentValidationConstraints(): void {
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas?: Map<Function, ValidationMetadata[]>;
  };
  if (!(storage.validationMetadatas instanceof Map)) {
    throw new Error('class-validator metadata storage changed shape; update openapi-conventions');
  }
  for (const [target, metadatas] of storage.validationMetadatas) {
    if (typeof target !== 'function') continue;
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const m of metadatas) {
      if (m.each) continue; // per-item constraints (config lists only) are not documented
      byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
    }
    for (const [property, list] of byProperty) {
      const declared = (Reflect.getMetadata(PROPERTY_METADATA, target.prototype, property) ??
        {}) as Constraints;
      const implied: Constraints = {};
      for (const m of list) Object.assign(implied, RULES[m.name ?? m.type]?.(m));
      if (Object.keys(implied).length === 0) continue;
      if (implied.type === 'integer' && declared.format === undefined) {
        implied.format = integerFormat({ ...implied, ...declared });
      }
      // An explicit `type` other than a design type (String/Number) is a deliberate choice.
      const explicitType = typeof declared.type === 'string' || Array.isArray(declared.type);
      const merged = { ...implied, ...declared };
      if (!explicitType && implied.type !== undefined) merged.type = implied.type;
      if (list.some((m) => m.type === 'conditionalValidation')) merged.required = false;
      Reflect.defineMetadata(PROPERTY_METADATA, merged, target.prototype, property);
      // A property only a validator names is documented too.
      const listed = (Reflect.getMetadata(PROPERTY_LIST, target.prototype) ?? []) as string[];
      if (!listed.includes(`:${property}`)) {
        Reflect.defineMetadata(PROPERTY_LIST, [...listed, `:${property}`], target.prototype);
      }
    }
  }
}

/**
 * A UUID path parameter: parsed by `ParseUUIDPipe` (a malformed id is a 400
 * `platform.bad_request`, before any query) and documented as `format: uuid`, with that 400.
 */
export function UuidParam(name: string, description?: string): ParameterDecorator {
  return (target, key, index) => {
    Param(name, new ParseUUIDPipe())(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key)!;
    ApiParam({
      name,
      description,
      schema: { type: 'string', format: 'uuid', minLength: UUID_LENGTH, maxLength: UUID_LENGTH },
    })(target, key, descriptor);
    ApiProblems(PLATFORM_ERRORS, ['platform.bad_request'])(target, key, descriptor);
  };
}

/**
 * Operation ids become `<tag>_<methodName>` (Nest is told to use the bare method name), e.g.
 * `commerce_placeOrder`. The OpenAPI conventions test holds every id to `<context>_<verbNoun>`
 * and unique, so generated clients never get `listOrders1` or an unreadable name.
 */
export function prefixOperationIds(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      const op = operation as { operationId?: unknown; tags?: string[] } | null;
      if (typeof op?.operationId !== 'string' || op.tags?.[0] === undefined) continue;
      const tag = op.tags[0];
      if (!op.operationId.startsWith(`${tag}_`)) op.operationId = `${tag}_${op.operationId}`;
    }
  }
}
