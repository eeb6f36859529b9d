import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Card } from './card.entity.js';

const digits = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.replace(/[\s-]/g, '') : value;

export class VaultCardRequest {
  @ApiProperty({
    example: '4242 4242 4242 4242',
    writeOnly: true,
    description: 'Spaces and dashes are ignored',
  })
  @Transform(digits)
  @IsString()
  @Matches(/^\d{12,19}$/, { message: 'number must be 12 to 19 digits' })
  number: string;

  @ApiProperty({ example: 12, minimum: 1, maximum: 12 })
  @IsInt()
  @Min(1)
  @Max(12)
  expMonth: number;

  @ApiProperty({ example: 2030 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  expYear: number;

  @ApiProperty({
    example: '123',
    writeOnly: true,
    description: 'Used once to verify the card; never stored',
  })
  @IsString()
  @Matches(/^\d{3,4}$/, { message: 'cvc must be 3 or 4 digits' })
  cvc: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  holderName: string;
}

export class CardResponse {
  @ApiProperty({
    example: 'tok_V1StGXR8_Z5jdHi6B-myT',
    description: 'Use this wherever a card is needed',
  })
  token: string;
  @ApiProperty({ example: 'visa' }) brand: string;
  @ApiProperty({ example: '4242' }) last4: string;
  @ApiProperty({ example: 12 }) expMonth: number;
  @ApiProperty({ example: 2030 }) expYear: number;
}

/** A vaulted card as its owner sees it: never the number, the ciphertext or the fingerprint. */
export function mapCard(
  c: Pick<Card, 'token' | 'brand' | 'last4' | 'expMonth' | 'expYear'>,
): CardResponse {
  return {
    token: c.token,
    brand: c.brand,
    last4: c.last4,
    expMonth: c.expMonth,
    expYear: c.expYear,
  };
}

export class CardPage {
  @ApiProperty({ type: [CardResponse] }) items: CardResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class RotationResult {
  @ApiProperty({ example: 42 }) reencrypted: number;
}
