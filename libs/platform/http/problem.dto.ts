import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROBLEM_CODE } from './error-catalogue.js';
import { ContextSchema } from './context-schema.js';

@ContextSchema('platform')
export class FieldErrorDoc {
  @ApiProperty({
    example: 'email',
    description: 'The field, as a path for nested ones (`items.0.quantity`)',
  })
  field: string;
  @ApiProperty({ example: ['email must be an email'] }) messages: string[];
}

/** RFC 9457 problem details, as every error response of this API is shaped. */
@ContextSchema('platform')
export class ProblemDoc {
  @ApiProperty({
    format: 'uri-reference',
    example: '/problems/platform.validation_failed',
    description: 'Resolves on this server to what the code means and what to do',
  })
  type: string;
  @ApiProperty({ example: 'Bad Request', description: 'The HTTP status, in words' })
  title: string;
  @ApiProperty({ type: 'integer', format: 'int32', example: 400 }) status: number;
  @ApiProperty({ example: 'The request body is invalid: see errors.' }) detail: string;
  @ApiProperty({
    pattern: PROBLEM_CODE.source,
    example: 'platform.validation_failed',
    description: 'Stable machine-readable code (`GET /problems` lists them all)',
  })
  code: string;
  @ApiPropertyOptional({
    example: '/v1/identity/register',
    description: 'The path that answered (without the query; left out for very long paths)',
  })
  instance?: string;
  @ApiProperty({
    example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69',
    description: 'The request id (the trace id when tracing is on), also in the logs',
  })
  traceId: string;
  @ApiPropertyOptional({
    type: [FieldErrorDoc],
    description: 'On `platform.validation_failed`: the invalid fields and why (at most 20)',
  })
  errors?: FieldErrorDoc[];
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    description:
      'On `platform.validation_failed`: how many more invalid fields `errors` leaves out',
  })
  errorsOmitted?: number;
}
