import { Injectable } from '@nestjs/common';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { PostCreated, PostDeleted } from '../social.events.js';
import { authorSet, feedSet } from './feed-keys.js';
import { FeedJobs } from './feed-jobs.js';
import { FeedRebuilder } from './feed-rebuilder.js';
import { FeedStore } from './feed-store.js';

/**
 * A published post → the author's own set (`author:{id}`, every author: the celebrity read
 * source) and own feed, then, for a regular author, one `push` job per chunk of followers.
 * Celebrities' posts are not pushed: readers merge their author sets. Comments are not feed
 * items. The tier is read `FOR SHARE`, so a tier change (an UPDATE of the profile row) waits
 * for the decisions taken under the old tier to commit.
 */
@Injectable()
@Consumes(PostCreated, 'social.feed-fanout')
export class FeedFanout implements IntegrationEventConsumer<PostCreated> {
  constructor(
    private readonly store: FeedStore,
    private readonly rebuild: FeedRebuilder,
    private readonly jobs: FeedJobs,
  ) {}

  async consume(event: PostCreated, tx: Tx): Promise<void> {
    const { postId, authorId, replyToId } = event.payload;
    if (replyToId) return;
    const [row] = await tx.manager.query<{ live: boolean; celebrity: boolean }[]>(
      `SELECT p.status = 'published' AND p.deleted_at IS NULL AND p.reply_to_id IS NULL AS live,
              a.celebrity
         FROM social.posts p JOIN social.profiles a ON a.user_id = p.author_id
        WHERE p.id = $1 FOR SHARE OF a`,
      [postId],
    );
    if (!row?.live) return;
    const [authorBuilt] = await this.store.built([authorSet(authorId)]);
    if (authorBuilt) await this.store.add([authorSet(authorId)], [postId]);
    else await this.rebuild.author(authorId);
    await this.store.add([feedSet(authorId)], [postId]);
    if (row.celebrity) return;
    const work = { kind: 'push' as const, postId, authorId };
    await this.jobs.forFollowers(tx, work, postId, event.metadata?.correlationId);
  }
}

/**
 * A deleted post → out of the author's set and own feed, then one `remove` job per chunk of
 * followers (reads filter deleted posts anyway; this frees the space they held).
 */
@Injectable()
@Consumes(PostDeleted, 'social.feed-delete')
export class FeedDelete implements IntegrationEventConsumer<PostDeleted> {
  constructor(
    private readonly store: FeedStore,
    private readonly jobs: FeedJobs,
  ) {}

  async consume(event: PostDeleted, tx: Tx): Promise<void> {
    const { postId, authorId } = event.payload;
    await this.store.remove([authorSet(authorId), feedSet(authorId)], [postId]);
    const work = { kind: 'remove' as const, postId, authorId };
    await this.jobs.forFollowers(tx, work, postId, event.metadata?.correlationId);
  }
}
