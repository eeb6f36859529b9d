import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ContextSchema } from '@app/platform';
import type { Card } from './card.entity.js';

/** A card number as typed (digits with spaces or dashes between groups) is at most this long. */
export const MAX_TYPED_NUMBER_LENGTH = 32;

/**
 * Spaces and dashes are dropped from a number of at most MAX_TYPED_NUMBER_LENGTH characters; a
 * longer string is left as it is, so the digit pattern rejects it (the server bounds the raw input
 * too, not only its digits).
 */
const digits = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.length <= MAX_TYPED_NUMBER_LENGTH
    ? value.replace(/[\s-]/g, '')
    : value;

@ContextSchema('payments')
export class VaultCardRequest {
  @ApiProperty({
    example: '4242424242424242',
    writeOnly: true,
    description:
      '12 to 19 digits (Luhn checked). Spaces and dashes between digit groups are accepted and ' +
      `ignored, up to ${MAX_TYPED_NUMBER_LENGTH} characters as typed. Never returned.`,
  })
  @Transform(digits)
  @IsString()
  @MaxLength(19)
  @Matches(/^\d{12,19}$/, { message: 'number must be 12 to 19 digits' })
  number: string;

  @ApiProperty({ example: 12 })
  @IsInt()
  @Min(1)
  @Max(12)
  expMonth: number;

  @ApiProperty({ example: 2035, description: 'Four digits; the card is valid through expMonth' })
  @IsInt()
  @Min(2000)
  @Max(2100)
  expYear: number;

  @ApiProperty({
    example: '123',
    writeOnly: true,
    description: 'Used once to verify the card; never stored. `000` fails verification (402).',
  })
  @IsString()
  @MaxLength(4)
  @Matches(/^\d{3,4}$/, { message: 'cvc must be 3 or 4 digits' })
  cvc: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  holderName: string;
}

/** What `brandOf` can answer. */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'unknown'] as const;

@ContextSchema('payments')
export class CardResponse {
  @ApiProperty({
    example: 'tok_V1StGXR8_Z5jdHi6B-myTqLw',
    pattern: '^tok_[A-Za-z0-9_-]{20,64}$',
    description:
      'Use this wherever a card is needed (`cardToken` of a top-up or an order); only you can use it',
  })
  token: string;
  @ApiProperty({ enum: CARD_BRANDS, example: 'visa', description: 'From the number’s prefix' })
  brand: string;
  @ApiProperty({ example: '4242', pattern: '^\\d{4}$', description: 'The last four digits' })
  last4: string;
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 12, example: 12 })
  expMonth: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 2035 }) expYear: number;
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

@ContextSchema('payments')
export class CardPage {
  @ApiProperty({ type: [CardResponse] }) items: CardResponse[];
  @ApiProperty({
    type: String,
    nullable: true,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}

@ContextSchema('payments')
export class RotationResult {
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 42,
    description: 'Cards re-encrypted under the active key (0 when all already were)',
  })
  reencrypted: number;
}
