import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { SocialError } from '../social.error.js';
import { actionablePost, postDeleted, postNotFound, visiblePostView } from './post-access.js';
import { announcePublished } from './post-lifecycle.js';
import type { PostRow } from './post.entity.js';
import type { PostView } from './post-view.dto.js';
import { PostViews } from './post-views.js';

export class PublishPost extends Command<PostView> {
  constructor(
    readonly userId: string,
    readonly postId: string,
  ) {
    super();
  }
}

/**
 * Publishes your draft: from now it is a post like any other (counts, mentions, the comment
 * event for a draft comment, PostCreated for the feed). Someone else's draft is 404, as if it
 * did not exist; a published post is 409 `social.not_a_draft`; a deleted draft, or a draft
 * comment whose parent was deleted meanwhile, is 409 `social.post_deleted`.
 */
@CommandHandler(PublishPost)
export class PublishPostHandler implements ICommandHandler<PublishPost> {
  constructor(
    private readonly transactions: Transactions,
    private readonly views: PostViews,
  ) {}

  execute({ userId, postId }: PublishPost): Promise<PostView> {
    return this.transactions.run(async (tx) => {
      const [draft] = await tx.manager.query<PostRow[]>(
        `SELECT * FROM social.posts WHERE id = $1 AND author_id = $2 FOR UPDATE`,
        [postId, userId],
      );
      if (!draft) throw postNotFound(postId);
      if (draft.deleted_at) throw postDeleted(postId);
      if (draft.status !== 'draft') {
        throw new SocialError('social.not_a_draft', `Post ${postId} is already published.`);
      }
      if (draft.reply_to_id) await actionablePost(tx.manager, userId, draft.reply_to_id);
      const [[post]] = await tx.manager.query<[PostRow[], number]>(
        `UPDATE social.posts SET status = 'published', published_at = now() WHERE id = $1
         RETURNING *`,
        [postId],
      );
      await announcePublished(tx, post!);
      return visiblePostView(this.views, userId, postId, tx.manager);
    });
  }
}
