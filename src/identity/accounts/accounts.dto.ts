import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { ContextSchema } from '@app/platform';
import type { User } from './user.entity.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@ContextSchema('identity')
export class RegisterRequest {
  @ApiProperty({
    example: 'ada@example.com',
    description: 'Trimmed and stored lower-cased; one account per email',
  })
  @Transform(trim)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', writeOnly: true })
  @IsString()
  @MinLength(10)
  // Bounded: argon2id hashes whatever it is given, so an unbounded password is a CPU/memory DoS.
  @MaxLength(128)
  password: string;

  @ApiProperty({ example: 'Ada Lovelace', description: 'Trimmed' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  displayName: string;
}

@ContextSchema('identity')
export class UserResponse {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' }) id: string;
  @ApiProperty({ format: 'email', example: 'ada@example.com', description: 'Lower-cased' })
  email: string;
  @ApiProperty({ example: 'Ada Lovelace' }) displayName: string;
  @ApiProperty({ example: ['customer'], enum: ['customer', 'admin'], isArray: true })
  roles: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export function mapUser(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    createdAt: user.createdAt.toISOString(),
  };
}
