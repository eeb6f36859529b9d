import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';

import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { DataSource, Not } from 'typeorm';
import type { CardDetails } from '../processor/processor.port.js';
import { Card } from './card.entity.js';
import { PaymentsConfig } from '../payments.config.js';

/**
 * The PCI boundary: the only code that sees a card number in plaintext. Encrypts with
 * AES-256-GCM under the active key (the key id is stored with the ciphertext so old keys keep
 * decrypting), fingerprints with HMAC-SHA256, and hands plaintext only to a callback for the
 * length of one processor call.
 */
@Injectable()
export class Vault {
  private readonly keys: Map<string, Buffer>;
  private readonly activeKeyId: string;

  constructor(
    config: PaymentsConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {
    this.keys = config.vaultKeys;
    this.activeKeyId = config.PAYMENTS_VAULT_ACTIVE_KEY ?? [...this.keys.keys()].at(-1)!;
    this.hmacKey = config.PAYMENTS_VAULT_HMAC_KEY;
  }

  private readonly hmacKey: string;

  fingerprint(number: string): string {
    return createHmac('sha256', this.hmacKey).update(number).digest('base64url');
  }

  encrypt(number: string): { ciphertext: string; keyId: string } {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
    const body = Buffer.concat([cipher.update(number, 'utf8'), cipher.final()]);
    return {
      ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64'),
      keyId: this.activeKeyId,
    };
  }

  private decrypt(ciphertext: string, keyId: string): string {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`vault key ${keyId} is not configured`);
    const raw = Buffer.from(ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** Runs `fn` with the card's details; the plaintext never outlives the call. */
  async withCard<T>(card: Card, fn: (details: CardDetails) => Promise<T>): Promise<T> {
    return fn({
      number: this.decrypt(card.ciphertext, card.keyId),
      expMonth: card.expMonth,
      expYear: card.expYear,
      holderName: card.holderName,
    });
  }

  /** A card of this owner (someone else's token finds nothing). */
  async findCard(ownerId: string, token: string): Promise<Card | null> {
    return this.db.getRepository(Card).findOneBy({ token, ownerId });
  }

  /** Re-encrypts every card not under the active key. Returns how many were re-encrypted. */
  async rotate(batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.transaction(async (manager) => {
        const cards = await manager.getRepository(Card).find({
          where: { keyId: Not(this.activeKeyId) },
          take: batch,
          lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
        });
        for (const card of cards) {
          const { ciphertext, keyId } = this.encrypt(this.decrypt(card.ciphertext, card.keyId));
          await manager.update(Card, { token: card.token }, { ciphertext, keyId });
        }
        return cards.length;
      });
      total += n;
      if (n < batch) return total;
    }
  }
}
