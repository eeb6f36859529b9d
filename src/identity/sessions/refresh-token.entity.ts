import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type RevokedReason = 'rotated' | 'logout' | 'reuse-detected';

/**
 * One refresh token of a session. Each refresh rotates it: the old one is revoked as `rotated`
 * and a new one joins the same family. Presenting a rotated token again means it was stolen
 * (or replayed), so the whole family is revoked.
 */
@Entity({ schema: 'identity', name: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryColumn('uuid') id: string;
  @Index('refresh_tokens_user_idx') @Column('uuid', { name: 'user_id' }) userId: string;
  @Index('refresh_tokens_family_idx') @Column('uuid', { name: 'family_id' }) familyId: string;
  /** SHA-256 of the token's secret part; the secret itself is never stored. */
  @Column('text', { name: 'secret_hash' }) secretHash: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('text', { name: 'revoked_reason', nullable: true }) revokedReason: RevokedReason | null;
  @Column('uuid', { name: 'replaced_by', nullable: true }) replacedBy: string | null;
}
