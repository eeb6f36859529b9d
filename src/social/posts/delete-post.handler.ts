import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { SocialError } from '../social.error.js';
import { postNotFound } from './post-access.js';
import { tombstone } from './post-lifecycle.js';
import { VISIBLE_TO_VIEWER } from './post-views.js';

export class DeletePost extends Command<void> {
  constructor(
    readonly userId: string,
    readonly postId: string,
  ) {
    super();
  }
}

/**
 * Tombstones your post: it leaves every feed, timeline and count; its comments stay (showing it
 * as deleted) and so do its likes. Deleting it again changes nothing. Someone else's post you
 * can see is 403; one you cannot see is 404.
 */
@CommandHandler(DeletePost)
export class DeletePostHandler implements ICommandHandler<DeletePost> {
  constructor(private readonly transactions: Transactions) {}

  execute({ userId, postId }: DeletePost): Promise<void> {
    return this.transactions.run(async (tx) => {
      const [post] = await tx.manager.query<{ author_id: string }[]>(
        `SELECT p.author_id FROM social.posts p WHERE p.id = $2 AND ${VISIBLE_TO_VIEWER}
          FOR UPDATE OF p`,
        [userId, postId],
      );
      if (!post) throw postNotFound(postId);
      if (post.author_id !== userId) {
        throw new SocialError('social.not_author', 'Only its author can delete a post.');
      }
      await tombstone(tx, postId, userId);
    });
  }
}
