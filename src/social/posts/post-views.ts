import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { MediaRow } from '../media/media.entity.js';
import { mediaUrl } from '../media/media-urls.js';
import type { Queryable } from '../profiles/profile-lookup.js';
import type { PostRow } from './post.entity.js';
import type { PostMedia, PostView } from './post-view.dto.js';

/** A post row with its author's profile and the viewer's own marks, as the hydrating query returns it. */
interface HydratedRow extends PostRow {
  handle: string;
  display_name: string;
  avatar_media_id: string | null;
  liked: boolean;
  shared: boolean;
}

/** The SQL condition "the viewer ($1) may see post p": no block either way, not someone else's draft. */
export const VISIBLE_TO_VIEWER = `(p.status = 'published' OR p.author_id = $1)
  AND NOT EXISTS (SELECT 1 FROM social.blocks b
                   WHERE (b.blocker_id = p.author_id AND b.blocked_id = $1)
                      OR (b.blocker_id = $1 AND b.blocked_id = p.author_id))`;

/**
 * The read model's one way to turn post ids into what a client shows: author, text, media,
 * counts, whether the viewer liked or shared it, and for a share the post shared. Always three
 * queries at most (posts with authors, the shared originals, the media) whatever the number of
 * ids, so a feed page or a GraphQL query costs the same number of round trips at any size.
 * Ids the viewer may not see are left out; deleted posts come back as tombstones
 * (`deleted: true`, no text or media) for the caller to drop or show.
 */
@Injectable()
export class PostViews {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Views of `ids` in the order given, without the ones the viewer may not see. */
  async hydrate(
    viewerId: string,
    ids: readonly string[],
    db: Queryable = this.db,
  ): Promise<PostView[]> {
    if (ids.length === 0) return [];
    const rows = await this.rows(db, viewerId, ids);
    const originalsIds = [
      ...new Set(rows.map((r) => r.share_of_id).filter((x): x is string => x !== null)),
    ];
    const originals = originalsIds.length ? await this.rows(db, viewerId, originalsIds) : [];
    const mediaIds = [
      ...new Set([...rows, ...originals].flatMap((r) => (r.deleted_at ? [] : r.media_ids))),
    ];
    const media = new Map<string, PostMedia>();
    if (mediaIds.length) {
      const found = await db.query<MediaRow[]>(
        `SELECT * FROM social.media WHERE id = ANY($1::uuid[])`,
        [mediaIds],
      );
      for (const m of found) media.set(m.id, mapMedia(m));
    }
    const originalViews = new Map(originals.map((o) => [o.id, toView(o, media, null)]));
    return rows.map((r) =>
      toView(r, media, r.share_of_id ? (originalViews.get(r.share_of_id) ?? null) : null),
    );
  }

  private rows(db: Queryable, viewerId: string, ids: readonly string[]): Promise<HydratedRow[]> {
    return db.query<HydratedRow[]>(
      `SELECT p.*, a.handle, a.display_name, a.avatar_media_id,
              EXISTS (SELECT 1 FROM social.likes l WHERE l.post_id = p.id AND l.user_id = $1) AS liked,
              EXISTS (SELECT 1 FROM social.posts s
                       WHERE s.share_of_id = p.id AND s.author_id = $1 AND s.deleted_at IS NULL) AS shared
         FROM unnest($2::uuid[]) WITH ORDINALITY AS i(id, ord)
         JOIN social.posts p ON p.id = i.id
         JOIN social.profiles a ON a.user_id = p.author_id
        WHERE ${VISIBLE_TO_VIEWER}
        ORDER BY i.ord`,
      [viewerId, ids],
    );
  }
}

function mapMedia(m: MediaRow): PostMedia {
  const image = m.kind === 'image';
  return {
    id: m.id,
    kind: m.kind,
    contentType: m.content_type,
    width: m.width,
    height: m.height,
    url: mediaUrl(m.id, image ? 'display' : 'original'),
    thumbnailUrl: image ? mediaUrl(m.id, 'thumb') : null,
  };
}

function toView(
  r: HydratedRow,
  media: Map<string, PostMedia>,
  sharedPost: PostView | null,
): PostView {
  const deleted = r.deleted_at !== null;
  return {
    id: r.id,
    author: {
      userId: r.author_id,
      handle: r.handle,
      displayName: r.display_name,
      avatarUrl: r.avatar_media_id ? mediaUrl(r.avatar_media_id, 'thumb') : null,
    },
    text: deleted ? '' : r.text,
    media: deleted ? [] : r.media_ids.flatMap((id) => media.get(id) ?? []),
    replyToId: r.reply_to_id,
    sharedPost: deleted ? null : sharedPost,
    counts: { likes: r.likes_count, comments: r.comments_count, shares: r.shares_count },
    likedByMe: r.liked,
    sharedByMe: r.shared,
    draft: r.status === 'draft',
    deleted,
    createdAt: (r.published_at ?? r.created_at).toISOString(),
  };
}
