import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { isUniqueViolation, Transactions } from '@app/platform';
import { randomBytes } from 'node:crypto';
import { PaymentProcessor } from '../processor/processor.port.js';
import { PaymentsError } from '../payments.error.js';
import { Card } from './card.entity.js';
import { brandOf, expired, luhnValid } from './card-rules.js';
import { mapCard, type CardResponse, type VaultCardRequest } from './vault.dto.js';
import { VaultAttempts } from './vault-attempts.js';
import { Vault } from './vault.js';

export class VaultCard extends Command<CardResponse> {
  constructor(
    readonly ownerId: string,
    readonly card: VaultCardRequest,
  ) {
    super();
  }
}

/**
 * Validates, verifies with the processor (the CVC's only use; failed verifications are limited
 * per customer and per card, see VaultAttempts), encrypts and stores. The same card vaulted
 * twice by one owner returns the existing token.
 */
@CommandHandler(VaultCard)
export class VaultCardHandler implements ICommandHandler<VaultCard> {
  constructor(
    private readonly vault: Vault,
    private readonly processor: PaymentProcessor,
    private readonly transactions: Transactions,
    private readonly attempts: VaultAttempts,
  ) {}

  async execute({ ownerId, card }: VaultCard): Promise<CardResponse> {
    if (!luhnValid(card.number))
      throw invalid('number', 'number is not a valid card number (checksum)');
    if (expired(card.expMonth, card.expYear)) {
      throw new PaymentsError('payments.card_expired', 'The card has expired.', {
        errors: [{ field: 'expYear', messages: ['the card has expired'] }],
      });
    }
    const fingerprint = this.vault.fingerprint(card.number);
    const existing = await this.transactions.run((tx) =>
      tx.manager.findOneBy(Card, { ownerId, fingerprint }),
    );
    if (existing) return mapCard(existing);

    // The processor is asked only within the failed-attempt limits (card testing).
    const verification = await this.attempts.attempt(ownerId, fingerprint, () =>
      this.processor.verify({ ...card }),
    );
    if (!verification.ok)
      throw new PaymentsError(
        'payments.card_declined',
        `The card was declined (${verification.reason}).`,
        { reason: verification.reason },
      );

    const { ciphertext, keyId } = this.vault.encrypt(card.number);
    const row: Card = {
      token: `tok_${randomBytes(18).toString('base64url')}`,
      ownerId,
      brand: brandOf(card.number),
      last4: card.number.slice(-4),
      expMonth: card.expMonth,
      expYear: card.expYear,
      holderName: card.holderName,
      ciphertext,
      keyId,
      fingerprint,
      createdAt: new Date(),
    };
    try {
      await this.transactions.run((tx) => tx.manager.insert(Card, row));
      return mapCard(row);
    } catch (err) {
      if (!isUniqueViolation(err, 'cards_owner_fingerprint_key')) throw err;
      const winner = await this.transactions.run((tx) =>
        tx.manager.findOneByOrFail(Card, { ownerId, fingerprint }),
      );
      return mapCard(winner);
    }
  }
}

function invalid(field: string, message: string) {
  return new PaymentsError('payments.card_invalid', `Invalid card: ${field}.`, {
    errors: [{ field, messages: [message] }],
  });
}
