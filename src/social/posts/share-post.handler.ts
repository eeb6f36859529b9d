import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { actionablePost, visiblePostView } from './post-access.js';
import { announcePublished, tombstone } from './post-lifecycle.js';
import type { PostRow } from './post.entity.js';
import type { PostView } from './post-view.dto.js';
import { PostViews } from './post-views.js';

/** Shares (`shared: true`) or unshares a post; sharing a share shares its original. */
export class SharePost extends Command<PostView> {
  constructor(
    readonly userId: string,
    readonly postId: string,
    readonly shared: boolean,
  ) {
    super();
  }
}

/**
 * A share is a post of yours with `share_of_id` and no text, at most one per post while not
 * deleted (the unique index `posts_share_once`): sharing twice changes nothing. A new share is
 * announced like any post (counts, PostCreated for the feed, PostShared to the author);
 * unsharing tombstones it. Answers the original post.
 */
@CommandHandler(SharePost)
export class SharePostHandler implements ICommandHandler<SharePost> {
  constructor(
    private readonly transactions: Transactions,
    private readonly views: PostViews,
  ) {}

  execute({ userId, postId, shared }: SharePost): Promise<PostView> {
    return this.transactions.run(async (tx) => {
      let original = await actionablePost(tx.manager, userId, postId);
      if (original.share_of_id) {
        original = await actionablePost(tx.manager, userId, original.share_of_id);
      }
      if (shared) {
        const [share] = await tx.manager.query<PostRow[]>(
          `INSERT INTO social.posts (id, author_id, text, share_of_id, status, published_at)
           VALUES ($1, $2, '', $3, 'published', now())
           ON CONFLICT DO NOTHING RETURNING *`,
          [uuidv7(), userId, original.id],
        );
        if (share) await announcePublished(tx, share);
      } else {
        const [share] = await tx.manager.query<{ id: string }[]>(
          `SELECT id FROM social.posts WHERE author_id = $1 AND share_of_id = $2 AND deleted_at IS NULL`,
          [userId, original.id],
        );
        if (share) await tombstone(tx, share.id, userId);
      }
      return visiblePostView(this.views, userId, original.id, tx.manager);
    });
  }
}
