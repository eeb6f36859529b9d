import { Injectable } from '@nestjs/common';
import type { Tx } from '@app/platform';
import { SocialConfig } from '../social.config.js';
import { authorSet } from './feed-keys.js';
import { FeedJobs } from './feed-jobs.js';
import { FeedRebuilder } from './feed-rebuilder.js';
import { FeedStore } from './feed-store.js';

/** How long a tier-exit backfill waits, so it runs after the tier change has committed. */
const BACKFILL_DELAY_MS = 1_000;

/**
 * The fan-out tier, with hysteresis: an author becomes a celebrity at
 * SOCIAL_CELEBRITY_THRESHOLD followers and goes back to fan-out on write only below
 * SOCIAL_CELEBRITY_EXIT_PERCENT % of it. Decided from the row's current count, not the event's,
 * so events handled out of order cannot flip it wrongly.
 *
 * Moving between tiers loses nothing and duplicates nothing (reads deduplicate by id):
 * - regular → celebrity: posts pushed before stay in feeds; the author set holds every recent
 *   post, and readers merge it from now on;
 * - celebrity → regular: the posts made as a celebrity were never pushed. Readers keep merging
 *   the author set for SOCIAL_TIER_EXIT_MERGE_SECONDS (`tier-exits`), while `backfill` jobs merge
 *   the author's newest posts into every active follower's feed.
 */
@Injectable()
export class FeedTiers {
  constructor(
    private readonly store: FeedStore,
    private readonly rebuild: FeedRebuilder,
    private readonly jobs: FeedJobs,
    private readonly config: SocialConfig,
  ) {}

  /** Re-decides `authorId`'s tier after their follower count changed. */
  async followersChanged(
    tx: Tx,
    authorId: string,
    eventId: string,
    correlationId: string,
  ): Promise<void> {
    const c = this.config;
    const [entered] = await tx.manager.query<[{ user_id: string }[], number]>(
      `UPDATE social.profiles SET celebrity = true
        WHERE user_id = $1 AND NOT celebrity AND followers_count >= $2 RETURNING user_id`,
      [authorId, c.SOCIAL_CELEBRITY_THRESHOLD],
    );
    if (entered.length) {
      // Readers merge the author set from now on: make sure it exists.
      const [built] = await this.store.built([authorSet(authorId)]);
      if (!built) await this.rebuild.author(authorId);
      return;
    }
    const [exited] = await tx.manager.query<[{ user_id: string }[], number]>(
      `UPDATE social.profiles SET celebrity = false
        WHERE user_id = $1 AND celebrity AND followers_count::bigint * 100 < $2::bigint * $3::bigint
        RETURNING user_id`,
      [authorId, c.SOCIAL_CELEBRITY_THRESHOLD, c.SOCIAL_CELEBRITY_EXIT_PERCENT],
    );
    if (!exited.length) return;
    await this.store.recordTierExit(authorId, c.SOCIAL_TIER_EXIT_MERGE_SECONDS * 1000);
    await this.jobs.forFollowers(tx, { kind: 'backfill', authorId }, eventId, correlationId, {
      delayMs: BACKFILL_DELAY_MS,
    });
  }
}
