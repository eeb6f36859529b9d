import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type PostStatus = 'draft' | 'published';

/**
 * A post, keyed by UUID v7 and read by `(author_id, id desc)` — the access pattern of the
 * seed's Cassandra table. A comment is a post with `reply_to_id`; a share (repost) is a post
 * with `share_of_id` and no text, one per user and post while not deleted. Delete is a
 * tombstone (`deleted_at`): the row stays so its comments can show "deleted".
 */
@Entity({ schema: 'social', name: 'posts' })
@Index('posts_author_idx', ['authorId', 'id'])
@Index('posts_replies_idx', ['replyToId', 'id'], { where: 'reply_to_id IS NOT NULL' })
@Index('posts_share_once', ['authorId', 'shareOfId'], {
  unique: true,
  where: 'share_of_id IS NOT NULL AND deleted_at IS NULL',
})
export class Post {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'author_id' }) authorId: string;
  @Column('text', { default: '' }) text: string;
  @Column('uuid', { name: 'reply_to_id', nullable: true }) replyToId: string | null;
  @Column('uuid', { name: 'share_of_id', nullable: true }) shareOfId: string | null;
  @Column('uuid', { name: 'media_ids', array: true, default: () => "'{}'" }) mediaIds: string[];
  @Column('text', { default: 'published' }) status: PostStatus;
  @Column('int', { name: 'likes_count', default: 0 }) likesCount: number;
  @Column('int', { name: 'comments_count', default: 0 }) commentsCount: number;
  @Column('int', { name: 'shares_count', default: 0 }) sharesCount: number;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'published_at', nullable: true }) publishedAt: Date | null;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
}

/** One like per user and post (the primary key). */
@Entity({ schema: 'social', name: 'likes' })
@Index('likes_user_idx', ['userId'])
export class Like {
  @PrimaryColumn('uuid', { name: 'post_id' }) postId: string;
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

/** A `social.posts` row as raw SQL returns it. */
export interface PostRow {
  id: string;
  author_id: string;
  text: string;
  reply_to_id: string | null;
  share_of_id: string | null;
  media_ids: string[];
  status: PostStatus;
  likes_count: number;
  comments_count: number;
  shares_count: number;
  created_at: Date;
  published_at: Date | null;
  deleted_at: Date | null;
}
