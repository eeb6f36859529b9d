import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The social graph: who follows, blocks and mutes whom. Each edge has a UUID v7 `id` for
 * cursor pages (newest first) and is unique per pair (its primary key).
 */
@Entity({ schema: 'social', name: 'follows' })
@Index('follows_id_key', ['id'], { unique: true })
@Index('follows_followee_idx', ['followeeId', 'id'])
@Index('follows_follower_idx', ['followerId', 'id'])
export class Follow {
  @PrimaryColumn('uuid', { name: 'follower_id' }) followerId: string;
  @PrimaryColumn('uuid', { name: 'followee_id' }) followeeId: string;
  @Column('uuid') id: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

/** A blocks B: B cannot follow A, see A's posts or notify A; both follows between them end. */
@Entity({ schema: 'social', name: 'blocks' })
@Index('blocks_id_key', ['id'], { unique: true })
@Index('blocks_blocked_idx', ['blockedId'])
export class Block {
  @PrimaryColumn('uuid', { name: 'blocker_id' }) blockerId: string;
  @PrimaryColumn('uuid', { name: 'blocked_id' }) blockedId: string;
  @Column('uuid') id: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

/** A mutes B: B's posts never reach A's feed (B is not told). */
@Entity({ schema: 'social', name: 'mutes' })
@Index('mutes_id_key', ['id'], { unique: true })
export class Mute {
  @PrimaryColumn('uuid', { name: 'muter_id' }) muterId: string;
  @PrimaryColumn('uuid', { name: 'muted_id' }) mutedId: string;
  @Column('uuid') id: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

export interface FollowRow {
  follower_id: string;
  followee_id: string;
  id: string;
  created_at: Date;
}
