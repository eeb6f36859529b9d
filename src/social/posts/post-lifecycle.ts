import { PostCommented, PostShared, UserMentioned } from '@app/contracts/social';
import type { Tx } from '@app/platform';
import { PostCreated, PostDeleted } from '../social.events.js';
import { activityFor } from './activity.js';
import type { PostRow } from './post.entity.js';

/** Mentions that notify, per post (the first ones in the text). */
export const MAX_MENTIONS = 10;

const MENTION = /(?<![\p{L}\p{N}_@])@([A-Za-z0-9_]{1,30})(?![A-Za-z0-9_@])/gu;

/** The distinct `@handle`s of a text, lower-cased, in order of appearance, at most 10. */
export function mentionedHandles(text: string): string[] {
  const handles = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    handles.add(m[1]!.toLowerCase());
    if (handles.size === MAX_MENTIONS) break;
  }
  return [...handles];
}

/**
 * What follows a post becoming published (created published, or a draft published), in the same
 * transaction: the author's `posts_count`, the parent's `comments_count` (a comment, with
 * PostCommented to the parent's author) or the original's `shares_count` (a share, with
 * PostShared), UserMentioned per mentioned profile, and PostCreated for the feed.
 */
export async function announcePublished(tx: Tx, post: PostRow): Promise<void> {
  const db = tx.manager;
  await db.query(`UPDATE social.profiles SET posts_count = posts_count + 1 WHERE user_id = $1`, [
    post.author_id,
  ]);
  const target = post.reply_to_id ?? post.share_of_id;
  if (target) {
    const column = post.reply_to_id ? 'comments_count' : 'shares_count';
    const [[parent]] = await db.query<[{ author_id: string; text: string }[], number]>(
      `UPDATE social.posts SET ${column} = ${column} + 1 WHERE id = $1 RETURNING author_id, text`,
      [target],
    );
    const activity = await activityFor(db, post.author_id, parent!.author_id, {
      postId: target,
      text: post.reply_to_id ? post.text : parent!.text,
    });
    if (activity && post.reply_to_id) {
      await tx.publish(new PostCommented({ ...activity, commentId: post.id }));
    } else if (activity) {
      await tx.publish(new PostShared(activity));
    }
  }
  const handles = mentionedHandles(post.text);
  if (handles.length > 0) {
    const mentioned = await db.query<{ user_id: string }[]>(
      `SELECT user_id FROM social.profiles WHERE handle_lower = ANY($1::text[]) AND user_id <> $2`,
      [handles, post.author_id],
    );
    for (const { user_id } of mentioned) {
      const activity = await activityFor(db, post.author_id, user_id, {
        postId: post.id,
        text: post.text,
      });
      if (activity) await tx.publish(new UserMentioned(activity));
    }
  }
  await tx.publish(
    new PostCreated({
      postId: post.id,
      authorId: post.author_id,
      replyToId: post.reply_to_id,
      shareOfId: post.share_of_id,
      createdAt: (post.published_at ?? post.created_at).toISOString(),
    }),
  );
}

/**
 * Tombstones a post of `authorId` (a no-op when it is already deleted): for a published one the
 * counts that included it go down and PostDeleted takes it out of every feed. Its likes and
 * comments stay. Answers whether it was deleted now.
 */
export async function tombstone(tx: Tx, postId: string, authorId: string): Promise<boolean> {
  const db = tx.manager;
  const [rows] = await db.query<[PostRow[], number]>(
    `UPDATE social.posts SET deleted_at = now()
      WHERE id = $1 AND author_id = $2 AND deleted_at IS NULL RETURNING *`,
    [postId, authorId],
  );
  const post = rows[0];
  if (!post) return false;
  if (post.status !== 'published') return true;
  await db.query(`UPDATE social.profiles SET posts_count = posts_count - 1 WHERE user_id = $1`, [
    authorId,
  ]);
  const target = post.reply_to_id ?? post.share_of_id;
  if (target) {
    const column = post.reply_to_id ? 'comments_count' : 'shares_count';
    await db.query(`UPDATE social.posts SET ${column} = ${column} - 1 WHERE id = $1`, [target]);
  }
  await tx.publish(new PostDeleted({ postId: post.id, authorId }));
  return true;
}
