import {
  applyDecorators,
  type ArgumentMetadata,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsISO4217CurrencyCode, IsString, ValidateIf } from 'class-validator';
import { PlatformError, type FieldError } from './app-error.js';

/**
 * A key the client sent is echoed back only when it looks like a field name or an array index:
 * anything else (a JSON body sent as a form, a pasted secret) is named by this placeholder.
 */
const FIELD_NAME = /^(?:[A-Za-z_$][\w$-]{0,63}|\d{1,6})$/;
const UNNAMED = '(unreadable key)';

/** Flattens class-validator's tree into `{ field: 'a.b.0.c', messages }` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const name = FIELD_NAME.test(e.property) ? e.property : UNNAMED;
    const field = parent ? `${parent}.${name}` : name;
    const messages = Object.values(e.constraints ?? {}).map((m) =>
      name === e.property || e.property === '' ? m : m.replaceAll(e.property, name),
    );
    const own = e.constraints ? [{ field, messages }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/** At most this many fields are listed in `errors`; `errorsOmitted` counts the rest. */
export const MAX_FIELD_ERRORS = 20;

export class ValidationFailed extends PlatformError {
  readonly errors: FieldError[];

  constructor(errors: FieldError[]) {
    const shown = errors.slice(0, MAX_FIELD_ERRORS);
    const omitted = errors.length - shown.length;
    super(
      'platform.validation_failed',
      400,
      `Invalid request: ${shown.map((e) => e.field).join(', ')}${omitted ? ` and ${omitted} more` : ''}.`,
      omitted ? { errors: shown, errorsOmitted: omitted } : { errors: shown },
    );
    this.errors = shown;
  }
}

/**
 * Bounds on a JSON body, checked on its text before it is parsed, so before class-transformer
 * and class-validator see it: whitelisting 45 000 unknown keys took seconds and answered 3 MB,
 * and deep nesting overflowed class-transformer's recursion (a 500).
 */
export const JSON_BODY_LIMITS = { maxMembers: 1000, maxDepth: 32 } as const;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]

/**
 * What is wrong with a JSON text's shape, or undefined: more object keys and array items in all
 * than `maxMembers` (counted as commas plus containers outside strings, so an empty `{}` counts
 * one), or nesting deeper than `maxDepth`. One pass over the characters (2–3 ms per MiB, where
 * parsing 45 000 keys takes 50), stopping at the first limit crossed; a text that is not JSON is
 * left for the parser to reject.
 */
export function jsonShapeProblem(text: string, limits = JSON_BODY_LIMITS): string | undefined {
  let depth = 0;
  let members = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (OPEN.has(c)) {
      if (++depth > limits.maxDepth)
        return `The JSON body is nested deeper than ${limits.maxDepth} levels.`;
      if (++members > limits.maxMembers) break;
    } else if (CLOSE.has(c)) {
      depth--;
    } else if (c === COMMA && ++members > limits.maxMembers) {
      break;
    }
  }
  return members > limits.maxMembers
    ? `The JSON body has more than ${limits.maxMembers} keys and array items.`
    : undefined;
}

/** The shape check as the error the JSON body parser rejects a body with. */
export function checkJsonShape(text: string): PlatformError | undefined {
  const problem = jsonShapeProblem(text);
  return problem ? new PlatformError('platform.body_too_complex', 400, problem) : undefined;
}

/**
 * Nest's ValidationPipe turns a missing or `null` body into `{}`, so an operation whose fields
 * are all optional answered 200 to no body at all (the OpenAPI fuzz found it): a `@Body()` DTO
 * requires a JSON object.
 */
class BodyRequiredValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto =
      metadata.type === 'body' &&
      metadata.data === undefined &&
      typeof metadata.metatype === 'function';
    if (
      dto &&
      (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw new ValidationFailed([{ field: 'body', messages: ['the body must be a JSON object'] }]);
    }
    return super.transform(value, metadata);
  }
}

/**
 * A field that may be left out but is never `null` (class-validator's `@IsOptional()` lets
 * `null` through, which the document does not allow): validated whenever it is present.
 */
export const OptionalField = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Whitelists DTO fields, rejects unknown ones, converts types; failures name the fields. */
export function createValidationPipe(): ValidationPipe {
  return new BodyRequiredValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailed(flattenValidationErrors(errors)),
  });
}

const upperCase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toUpperCase() : value;

/**
 * The one currency check: an ISO 4217 code, upper-cased first (`eur` is taken as `EUR`), so every
 * context accepts and rejects the same codes (`ABC` → 400 naming the field).
 */
export function IsCurrency(): PropertyDecorator {
  return applyDecorators(
    Transform(upperCase),
    IsString(),
    IsISO4217CurrencyCode({ message: '$property must be an ISO 4217 code such as EUR' }),
  );
}
