import { decodeCursor, encodeCursor, type Page } from '@app/platform';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { PostView } from '../posts/post-view.dto.js';
import { VISIBLE_TO_VIEWER, type PostViews } from '../posts/post-views.js';
import type { ProfileRow } from '../profiles/profile.entity.js';
import { mapProfile, type ProfileView, type Relationship } from '../profiles/profiles.dto.js';

/** A page request of a list field: its size and the cursor it continues from. */
export interface PageRequest {
  first: number;
  after?: string | null;
}

type RelatedRow = ProfileRow & Relationship & { of?: string; edge_id?: string };

/** The viewer's ($1) relationship to profile `p`, as columns named like `Relationship`. */
const RELATIONSHIP = `
  EXISTS (SELECT 1 FROM social.follows r WHERE r.follower_id = $1 AND r.followee_id = p.user_id) AS "following",
  EXISTS (SELECT 1 FROM social.follows r WHERE r.follower_id = p.user_id AND r.followee_id = $1) AS "followedBy",
  EXISTS (SELECT 1 FROM social.blocks r WHERE r.blocker_id = $1 AND r.blocked_id = p.user_id) AS "blocking",
  EXISTS (SELECT 1 FROM social.mutes r WHERE r.muter_id = $1 AND r.muted_id = p.user_id) AS "muting"`;

/** Profile `p` blocks the viewer ($1): it is not there for them (404 in REST, null here). */
const NOT_BLOCKING_VIEWER = `NOT EXISTS (SELECT 1 FROM social.blocks x WHERE x.blocker_id = p.user_id AND x.blocked_id = $1)`;

/**
 * The per-request loaders of the GraphQL API (built by the context factory, so nothing is cached
 * across requests or viewers). Every field that reads the database goes through one of them, and
 * each batches all the keys a level of the query asks for into one query: a page of 20 posts
 * with authors, counts and `comments(first: 3)` costs the same few queries as a page of 2.
 * Pages of lists are keyed by parent and loaded with one `LATERAL` query per distinct
 * (first, after); their posts are hydrated together by `PostViews.hydrate` (≤ 3 queries).
 */
export class SocialLoaders {
  /** Posts by id as the viewer sees them; null when invisible or deleted (as REST's 404). */
  readonly posts: DataLoader<string, PostView | null>;
  /** Profiles by user id with the viewer's relationship; null when it blocks the viewer. */
  readonly profiles: DataLoader<string, ProfileView | null>;
  /** The same by handle, regardless of case (keys are lower-cased). */
  readonly profilesByHandle: DataLoader<string, ProfileView | null>;
  private readonly pages = new Map<string, DataLoader<string, Page<unknown>>>();

  constructor(
    private readonly db: DataSource,
    private readonly views: PostViews,
    readonly viewerId: string,
  ) {
    this.posts = new DataLoader(async (ids) => {
      const found = new Map((await this.views.hydrate(viewerId, ids)).map((v) => [v.id, v]));
      return ids.map((id) => {
        const view = found.get(id);
        return view && !view.deleted ? view : null;
      });
    });
    this.profiles = new DataLoader((ids) => this.loadProfiles('user_id', '::uuid[]', ids));
    this.profilesByHandle = new DataLoader(
      (handles) => this.loadProfiles('handle_lower', '', handles),
      { cacheKeyFn: (handle) => handle.toLowerCase() },
    );
  }

  /** Comments of a post, oldest first; deleted ones stay as tombstones (as REST). */
  comments(postId: string, page: PageRequest): Promise<Page<PostView>> {
    return this.postPage('comments', postId, page, {
      where: `p.reply_to_id = i.parent AND p.status = 'published' AND ${VISIBLE_TO_VIEWER}`,
      order: 'ASC',
    });
  }

  /** An author's timeline: published, not deleted, not comments (shares are), newest first. */
  timeline(authorId: string, page: PageRequest): Promise<Page<PostView>> {
    return this.postPage('timeline', authorId, page, {
      where: `p.author_id = i.parent AND p.status = 'published' AND p.deleted_at IS NULL
              AND p.reply_to_id IS NULL AND ${VISIBLE_TO_VIEWER}`,
      order: 'DESC',
    });
  }

  /** Followers of a profile, newest follow first, without those who block the viewer. */
  followers(userId: string, page: PageRequest): Promise<Page<ProfileView>> {
    return this.page(`followers:${page.first}:${page.after ?? ''}`, userId, async (parents) => {
      const after = decodeCursor<{ id: string }>(page.after ?? undefined, { id: 'uuid' });
      const rows = await this.db.query<RelatedRow[]>(
        `SELECT e.followee_id AS of, e.id AS edge_id, p.*, ${RELATIONSHIP}
           FROM unnest($2::uuid[]) AS i(parent)
          CROSS JOIN LATERAL (
                SELECT f.id, f.follower_id, f.followee_id FROM social.follows f
                 JOIN social.profiles p ON p.user_id = f.follower_id
                WHERE f.followee_id = i.parent AND ($3::uuid IS NULL OR f.id < $3::uuid)
                  AND ${NOT_BLOCKING_VIEWER}
                ORDER BY f.id DESC LIMIT $4) e
           JOIN social.profiles p ON p.user_id = e.follower_id
          ORDER BY e.id DESC`,
        [this.viewerId, parents, after?.id ?? null, page.first + 1],
      );
      return parents.map((parent) => {
        const own = rows.filter((r) => r.of === parent);
        return this.toPage(
          own,
          page.first,
          (r) => this.profileView(r),
          (r) => r.edge_id!,
        );
      });
    }) as Promise<Page<ProfileView>>;
  }

  private postPage(
    kind: string,
    parent: string,
    page: PageRequest,
    query: { where: string; order: 'ASC' | 'DESC' },
  ): Promise<Page<PostView>> {
    const key = `${kind}:${page.first}:${page.after ?? ''}`;
    return this.page(key, parent, async (parents) => {
      const after = decodeCursor<{ id: string }>(page.after ?? undefined, { id: 'uuid' });
      const rows = await this.db.query<{ of: string; id: string }[]>(
        `SELECT i.parent AS of, c.id
           FROM unnest($2::uuid[]) AS i(parent)
          CROSS JOIN LATERAL (
                SELECT p.id FROM social.posts p
                 WHERE ${query.where}
                   AND ($3::uuid IS NULL OR p.id ${query.order === 'ASC' ? '>' : '<'} $3::uuid)
                 ORDER BY p.id ${query.order} LIMIT $4) c`,
        [this.viewerId, parents, after?.id ?? null, page.first + 1],
      );
      const views = new Map(
        (
          await this.views.hydrate(
            this.viewerId,
            rows.map((r) => r.id),
          )
        ).map((v) => [v.id, v]),
      );
      return parents.map((p) => {
        const own = rows.filter((r) => r.of === p && views.has(r.id));
        return this.toPage(
          own,
          page.first,
          (r) => views.get(r.id)!,
          (r) => r.id,
        );
      });
    }) as Promise<Page<PostView>>;
  }

  /** The loader of one list field with one (first, after): parents batched into one call. */
  private page(
    key: string,
    parent: string,
    load: (parents: readonly string[]) => Promise<Page<unknown>[]>,
  ): Promise<Page<unknown>> {
    let loader = this.pages.get(key);
    if (!loader) {
      loader = new DataLoader(load);
      this.pages.set(key, loader);
    }
    return loader.load(parent);
  }

  private toPage<R, T>(rows: R[], first: number, map: (r: R) => T, id: (r: R) => string): Page<T> {
    const items = rows.slice(0, first);
    const last = items.at(-1);
    return {
      items: items.map(map),
      nextCursor: rows.length > first && last ? encodeCursor({ id: id(last) }) : null,
    };
  }

  private async loadProfiles(
    column: 'user_id' | 'handle_lower',
    cast: string,
    keys: readonly string[],
  ): Promise<(ProfileView | null)[]> {
    const wanted = column === 'handle_lower' ? keys.map((k) => k.toLowerCase()) : keys;
    const rows = await this.db.query<RelatedRow[]>(
      `SELECT p.*, ${RELATIONSHIP} FROM social.profiles p
        WHERE p.${column} = ANY($2${cast}) AND ${NOT_BLOCKING_VIEWER}`,
      [this.viewerId, wanted],
    );
    const found = new Map(rows.map((r) => [r[column], this.profileView(r)]));
    return wanted.map((k) => found.get(k) ?? null);
  }

  private profileView(r: RelatedRow): ProfileView {
    const { following, followedBy, blocking, muting, of: _o, edge_id: _e, ...profile } = r;
    return profile.user_id === this.viewerId
      ? mapProfile(profile)
      : mapProfile(profile, { following, followedBy, blocking, muting });
  }
}
