import { applyDecorators, ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsISO4217CurrencyCode, IsString } from 'class-validator';
import { PlatformError, type FieldError } from './app-error.js';

/** Flattens class-validator's tree into `{ field: 'a.b.0.c', messages }` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

export class ValidationFailed extends PlatformError {
  constructor(readonly errors: FieldError[]) {
    super(
      'platform.validation_failed',
      400,
      `Invalid request: ${errors.map((e) => e.field).join(', ')}.`,
      { errors },
    );
  }
}

/** Whitelists DTO fields, rejects unknown ones, converts types; failures list every field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
