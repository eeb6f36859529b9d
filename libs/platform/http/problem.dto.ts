import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDoc {
  @ApiProperty({ example: 'email' }) field: string;
  @ApiProperty({ example: ['email must be an email'] }) messages: string[];
}

/** RFC 9457 problem details, as every error response of this API is shaped. */
export class ProblemDoc {
  @ApiProperty({
    example: '/problems/platform.validation_failed',
    description: 'Resolves on this server to what the code means and what to do',
  })
  type: string;
  @ApiProperty({ example: 'Bad Request' }) title: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiProperty({ example: 'The request body is invalid: see errors.' }) detail: string;
  @ApiProperty({
    example: 'platform.validation_failed',
    description: 'Stable machine-readable code',
  })
  code: string;
  @ApiProperty({ example: '/v1/identity/register' }) instance: string;
  @ApiProperty({
    example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69',
    description: 'Request id, also in logs',
  })
  traceId: string;
  @ApiPropertyOptional({ type: [FieldErrorDoc] }) errors?: FieldErrorDoc[];
}
