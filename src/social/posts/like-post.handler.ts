import { PostLiked } from '@app/contracts/social';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { activityFor } from './activity.js';
import { actionablePost, visiblePostView } from './post-access.js';
import type { PostView } from './post-view.dto.js';
import { PostViews } from './post-views.js';

/** Likes (`liked: true`) or unlikes a post. */
export class LikePost extends Command<PostView> {
  constructor(
    readonly userId: string,
    readonly postId: string,
    readonly liked: boolean,
  ) {
    super();
  }
}

/**
 * One like per user and post: liking twice or unliking what you do not like changes nothing.
 * A new like bumps `likes_count` and tells the author (PostLiked) unless it is yours or a block
 * stands between you. A deleted post is 409 `social.post_deleted`.
 */
@CommandHandler(LikePost)
export class LikePostHandler implements ICommandHandler<LikePost> {
  constructor(
    private readonly transactions: Transactions,
    private readonly views: PostViews,
  ) {}

  execute({ userId, postId, liked }: LikePost): Promise<PostView> {
    return this.transactions.run(async (tx) => {
      const post = await actionablePost(tx.manager, userId, postId);
      const changed = liked
        ? (
            await tx.manager.query<unknown[]>(
              `INSERT INTO social.likes (post_id, user_id) VALUES ($1, $2)
               ON CONFLICT DO NOTHING RETURNING post_id`,
              [postId, userId],
            )
          ).length > 0
        : (
            await tx.manager.query<[unknown[], number]>(
              `DELETE FROM social.likes WHERE post_id = $1 AND user_id = $2 RETURNING post_id`,
              [postId, userId],
            )
          )[1] > 0;
      if (changed) {
        await tx.manager.query(
          `UPDATE social.posts SET likes_count = likes_count + $2 WHERE id = $1`,
          [postId, liked ? 1 : -1],
        );
      }
      if (changed && liked) {
        const activity = await activityFor(tx.manager, userId, post.author_id, {
          postId,
          text: post.text,
        });
        if (activity) await tx.publish(new PostLiked(activity));
      }
      return visiblePostView(this.views, userId, postId, tx.manager);
    });
  }
}
