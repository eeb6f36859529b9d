import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, encodeCursor, type Page } from '@app/platform';
import { DataSource } from 'typeorm';
import { PostViews } from '../posts/post-views.js';
import type { PostView } from '../posts/post-view.dto.js';
import { SocialConfig } from '../social.config.js';
import { SocialError } from '../social.error.js';
import { authorSet, feedSet, type CappedSet } from './feed-keys.js';
import { FeedRebuilder } from './feed-rebuilder.js';
import { eligibleFeed, keepEligible, readerState } from './feed-sql.js';
import { FeedStore, type SetPage } from './feed-store.js';

const DAY_MS = 86_400_000;

/** A set a read merges, and how to rebuild it when it is missing. */
interface Source {
  set: CappedSet;
  rebuild: () => Promise<void>;
}

/** Byte order of two ids: the later one. */
const later = (a: string, b: string) => (a > b ? a : b);

/**
 * Reads a feed: the pushed feed (`feed:{reader}`) merged with the author sets of the
 * celebrities the reader follows (a k-way merge by id, deduplicated), every candidate checked
 * against the eligibility rule in one query (mutes, blocks, unfollows and deletes the sets may
 * not have caught up with never show), hydrated. Redis speaks for ids down to the highest
 * horizon of the sets merged; below it (past the cap) the page continues from PostgreSQL with
 * the same rule and order, so walking the pages never finds a gap or a duplicate.
 *
 * A feed that is missing (never built, Redis flushed) or whose reader was inactive (fan-out
 * skipped them) is rebuilt from PostgreSQL first; so is a missing author set.
 */
@Injectable()
export class FeedReader {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: FeedStore,
    private readonly rebuild: FeedRebuilder,
    private readonly views: PostViews,
    private readonly config: SocialConfig,
  ) {}

  /** A page of `viewerId`'s feed, newest first; `cursor` is the previous page's `nextCursor`. */
  async read(viewerId: string, limit: number, cursor?: string): Promise<Page<PostView>> {
    const before = decodeCursor<{ id: string }>(cursor, { id: 'uuid' })?.id.toLowerCase();
    const ids = await this.ids(viewerId, limit + 1, before);
    const page = ids.slice(0, limit);
    const views = await this.views.hydrate(viewerId, page);
    const last = page[page.length - 1];
    return {
      items: views.filter((v) => !v.deleted),
      nextCursor: ids.length > limit && last ? encodeCursor({ id: last }) : null,
    };
  }

  /** Up to `want` eligible ids of the feed below `before` (exclusive), newest first. */
  async ids(viewerId: string, want: number, before?: string): Promise<string[]> {
    const windowMs = this.config.SOCIAL_TIER_EXIT_MERGE_SECONDS * 1000;
    const state = await readerState(this.db, viewerId, await this.store.recentTierExits(windowMs));
    if (!state) {
      throw new SocialError(
        'social.profile_not_found',
        'Your profile is being set up (a moment after registering); try again shortly.',
      );
    }
    const inactiveSince = Date.now() - this.config.SOCIAL_ACTIVE_DAYS * DAY_MS;
    if (!state.lastRead || state.lastRead.getTime() < inactiveSince) {
      await this.rebuild.feed(viewerId);
    }
    const sources: Source[] = [
      { set: feedSet(viewerId), rebuild: () => this.rebuild.feed(viewerId) },
      ...state.merged.map((a) => ({ set: authorSet(a), rebuild: () => this.rebuild.author(a) })),
    ];
    const out: string[] = [];
    const batch = want + 10;
    let upper = before;
    let floor = '';
    for (;;) {
      const pages = await Promise.all(sources.map((s) => this.page(s, upper, batch)));
      for (const p of pages) floor = later(floor, p.horizon);
      // Ids at or above the lowest id of every source that still has more are in merged order.
      let threshold = floor;
      for (const p of pages) {
        const lowest = p.ids[p.ids.length - 1];
        if (p.ids.length === batch && lowest) threshold = later(threshold, lowest);
      }
      const candidates = [...new Set(pages.flatMap((p) => p.ids))]
        .filter((id) => id >= threshold)
        .sort()
        .reverse();
      out.push(...(await keepEligible(this.db, viewerId, candidates)));
      if (out.length >= want) return out.slice(0, want);
      const exhausted = threshold === floor;
      upper = upper && upper < threshold ? upper : threshold;
      if (exhausted || threshold === '') break;
    }
    // Past what Redis speaks for: PostgreSQL, strictly below both the floor and what was read.
    if (floor === '') return out;
    const from = upper && upper < floor ? upper : floor;
    out.push(...(await eligibleFeed(this.db, viewerId, from, want - out.length)));
    return out;
  }

  /** A page of a set, rebuilding it first when it is missing. */
  private async page(source: Source, before: string | undefined, count: number): Promise<SetPage> {
    const found = await this.store.page(source.set, before, count);
    if (found) return found;
    await source.rebuild();
    return (await this.store.page(source.set, before, count)) ?? { horizon: '', ids: [] };
  }
}
