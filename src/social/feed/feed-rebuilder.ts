import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { authorSet, feedSet, type CappedSet } from './feed-keys.js';
import { authorItems, eligibleFeed } from './feed-sql.js';
import { FeedStore } from './feed-store.js';

/** Items a missing feed is rebuilt with (Mastodon's populate), at most the cap. */
export const FEED_REBUILD_ITEMS = 400;

/** An author's newest posts merged into a feed on follow (and unmute, and tier exit). */
export const FOLLOW_MERGE_ITEMS = 200;

/**
 * Builds a set from PostgreSQL when Redis does not have it (never built, flushed, or its reader
 * came back after being inactive): never an empty feed when followees have posted. A rebuild
 * that found fewer items than it asked for has seen everything, so its horizon is `''`;
 * otherwise the horizon is the oldest item kept and older pages come from PostgreSQL.
 */
@Injectable()
export class FeedRebuilder {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: FeedStore,
  ) {}

  /** A reader's feed: the newest eligible items, up to 400 (and the cap). */
  async feed(readerId: string): Promise<void> {
    const n = Math.min(FEED_REBUILD_ITEMS, this.store.cap);
    const ids = await eligibleFeed(this.db, readerId, null, n);
    await this.store.replace(feedSet(readerId), ids, horizonOf(ids, n));
  }

  /** An author set: the author's newest feed items, up to the cap. */
  async author(authorId: string): Promise<void> {
    const n = this.store.cap;
    const ids = await authorItems(this.db, authorId, n);
    await this.store.replace(authorSet(authorId), ids, horizonOf(ids, n));
  }

  /**
   * Merges an author's newest posts into readers' (built) feeds. When the author has more than
   * were merged, each feed's horizon is raised to the oldest merged, so the older ones are read
   * from PostgreSQL rather than missed. Returns, per reader, how many items were new.
   */
  async mergeAuthor(readerIds: readonly string[], authorId: string): Promise<number[]> {
    const n = Math.min(FOLLOW_MERGE_ITEMS, this.store.cap);
    const ids = await authorItems(this.db, authorId, n);
    const raiseTo = ids.length < n ? '' : ids[ids.length - 1]!;
    return this.store.add(readerIds.map(feedSet), ids, raiseTo);
  }

  /** Removes an author's posts from readers' feeds (unfollow, block, mute). */
  async removeAuthor(readerIds: readonly string[], authorId: string): Promise<void> {
    const sets: CappedSet[] = readerIds.map(feedSet);
    await this.store.remove(sets, await authorItems(this.db, authorId, this.store.cap));
  }
}

/** `''` when the query ran out before `n` (complete), else the oldest id returned. */
function horizonOf(ids: readonly string[], n: number): string {
  return ids.length < n ? '' : ids[ids.length - 1]!;
}
