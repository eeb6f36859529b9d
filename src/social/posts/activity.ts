import type { SocialActivityPayload } from '@app/contracts/social';
import type { Queryable } from '../profiles/profile-lookup.js';

const EXCERPT_GRAPHEMES = 100;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** User-perceived characters (grapheme clusters): an emoji family or a flag counts as one. */
export function graphemeCount(text: string, stopAfter = Infinity): number {
  // Intl.Segmenter costs ≈ 25 µs a character here and grows faster than the text: counting
  // stops once past `stopAfter` (a validator needs only "more than max").
  let n = 0;
  for (const _ of segmenter.segment(text)) if (++n > stopAfter) break;
  return n;
}

/** The first characters of a text for a notification, cut between graphemes. */
export function excerpt(text: string): string {
  let out = '';
  let n = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (n++ === EXCERPT_GRAPHEMES) return `${out}…`;
    out += segment;
  }
  return out;
}

/**
 * What tells `recipientId` that `actorId` did something, or null when nobody is to be told: the
 * recipient is the actor, or a block stands between them (either way). The actor's handle and
 * name travel in the payload, so notifications reads nothing of social's.
 */
export async function activityFor(
  db: Queryable,
  actorId: string,
  recipientId: string,
  about: { postId?: string; text?: string } = {},
): Promise<SocialActivityPayload | null> {
  if (actorId === recipientId) return null;
  const [actor] = await db.query<{ handle: string; display_name: string; blocked: boolean }[]>(
    `SELECT a.handle, a.display_name,
            EXISTS (SELECT 1 FROM social.blocks b
                     WHERE (b.blocker_id = $1 AND b.blocked_id = $2)
                        OR (b.blocker_id = $2 AND b.blocked_id = $1)) AS blocked
       FROM social.profiles a WHERE a.user_id = $1`,
    [actorId, recipientId],
  );
  if (!actor || actor.blocked) return null;
  return {
    recipientId,
    actorId,
    actorHandle: actor.handle,
    actorDisplayName: actor.display_name,
    ...(about.postId ? { postId: about.postId } : {}),
    ...(about.text ? { excerpt: excerpt(about.text) } : {}),
    occurredAt: new Date().toISOString(),
  };
}
