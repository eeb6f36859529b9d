import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { ownProfile, type Queryable } from '../profiles/profile-lookup.js';
import { SocialError } from '../social.error.js';
import { actionablePost, visiblePostView } from './post-access.js';
import { announcePublished } from './post-lifecycle.js';
import type { PostRow } from './post.entity.js';
import type { PostView } from './post-view.dto.js';
import { PostViews } from './post-views.js';
import type { CreatePostRequest } from './posts.dto.js';

export class CreatePost extends Command<PostView> {
  constructor(
    readonly authorId: string,
    readonly body: CreatePostRequest,
  ) {
    super();
  }
}

/** Every id must be an upload of the author's, else 404 `social.media_not_found` naming it. */
async function checkMedia(db: Queryable, ownerId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db.query<{ id: string }[]>(
    `SELECT id FROM social.media WHERE id = ANY($1::uuid[]) AND owner_id = $2`,
    [ids, ownerId],
  );
  const mine = new Set(found.map((m) => m.id));
  const missing = ids.findIndex((id) => !mine.has(id));
  if (missing >= 0) {
    throw new SocialError(
      'social.media_not_found',
      `No media ${ids[missing]} among your uploads.`,
      {
        errors: [{ field: `mediaIds.${missing}`, messages: ['is not one of your uploads'] }],
      },
    );
  }
}

/**
 * A post, a comment (`replyToId`) or a draft. Everything is checked before anything is written,
 * in one transaction: the media are the author's, the parent is visible and not deleted. A
 * published post bumps the counts and announces itself (see `announcePublished`); a draft does
 * neither until it is published.
 */
@CommandHandler(CreatePost)
export class CreatePostHandler implements ICommandHandler<CreatePost> {
  constructor(
    private readonly transactions: Transactions,
    private readonly views: PostViews,
  ) {}

  execute({ authorId, body }: CreatePost): Promise<PostView> {
    return this.transactions.run(async (tx) => {
      await ownProfile(tx.manager, authorId);
      const mediaIds = body.mediaIds ?? [];
      await checkMedia(tx.manager, authorId, mediaIds);
      if (body.replyToId) await actionablePost(tx.manager, authorId, body.replyToId, 'replyToId');
      const draft = body.draft === true;
      const [post] = await tx.manager.query<PostRow[]>(
        `INSERT INTO social.posts (id, author_id, text, reply_to_id, media_ids, status, published_at)
         VALUES ($1, $2, $3, $4, $5::uuid[], $6, CASE WHEN $6 = 'published' THEN now() END)
         RETURNING *`,
        [
          uuidv7(),
          authorId,
          body.text,
          body.replyToId ?? null,
          mediaIds,
          draft ? 'draft' : 'published',
        ],
      );
      if (!draft) await announcePublished(tx, post!);
      return visiblePostView(this.views, authorId, post!.id, tx.manager);
    });
  }
}
