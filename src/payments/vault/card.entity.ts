import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A vaulted card. The number exists only as AES-256-GCM ciphertext (with the id of the key that
 * made it) and as an HMAC fingerprint for duplicate detection. The CVC is not a column: it is
 * never stored.
 */
@Entity({ schema: 'payments', name: 'cards' })
@Index('cards_owner_fingerprint_key', ['ownerId', 'fingerprint'], { unique: true })
@Index('cards_key_idx', ['keyId'])
export class Card {
  /** The opaque token clients use (`tok_…`). */
  @PrimaryColumn('text') token: string;
  @Column('uuid', { name: 'owner_id' }) ownerId: string;
  @Column('text') brand: string;
  @Column('char', { length: 4 }) last4: string;
  @Column('smallint', { name: 'exp_month' }) expMonth: number;
  @Column('smallint', { name: 'exp_year' }) expYear: number;
  @Column('text', { name: 'holder_name' }) holderName: string;
  /** base64(iv ‖ auth tag ‖ ciphertext) */
  @Column('text') ciphertext: string;
  @Column('text', { name: 'key_id' }) keyId: string;
  /** HMAC-SHA256(number) under PAYMENTS_VAULT_HMAC_KEY. */
  @Column('text') fingerprint: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}
