import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', writeOnly: true })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password: string;
}

export class RefreshRequest {
  @ApiProperty({ description: 'The refresh token from the last login or refresh', writeOnly: true })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken: string;
}

export class TokenResponse {
  @ApiProperty({ description: 'Short-lived JWT for `Authorization: Bearer`' }) accessToken: string;
  @ApiProperty({ description: 'Opaque, single-use; exchange at /v1/identity/refresh' })
  refreshToken: string;
  @ApiProperty({ example: 900, description: 'Access token lifetime in seconds' }) expiresIn: number;
  @ApiProperty({ example: 'Bearer' }) tokenType: 'Bearer';
}
