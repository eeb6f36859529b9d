import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { ContextSchema } from '@app/platform';

@ContextSchema('identity')
export class LoginRequest {
  @ApiProperty({ example: 'ada@example.com', description: 'Case and surrounding spaces ignored' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', writeOnly: true })
  @IsString()
  @MinLength(1)
  // Bounded: the password is hashed with argon2id before it is compared.
  @MaxLength(128)
  password: string;
}

@ContextSchema('identity')
export class RefreshRequest {
  @ApiProperty({ description: 'The refresh token from the last login or refresh', writeOnly: true })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken: string;
}

@ContextSchema('identity')
export class TokenResponse {
  @ApiProperty({
    description:
      'Short-lived JWT (HS256) for `Authorization: Bearer` (the **Authorize** button in Swagger UI)',
  })
  accessToken: string;
  @ApiProperty({
    description:
      'Opaque and single-use: exchange it at `POST /v1/identity/refresh` for a new pair, or end ' +
      'the session with `POST /v1/identity/logout`',
  })
  refreshToken: string;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 900,
    description:
      'Access token lifetime in seconds (`JWT_ACCESS_TTL_SECONDS`, 15 minutes by default)',
  })
  expiresIn: number;
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' }) tokenType: 'Bearer';
}
