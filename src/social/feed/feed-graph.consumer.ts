import { Injectable } from '@nestjs/common';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { BlockChanged, FollowChanged, MuteChanged } from '../social.events.js';
import { FeedRebuilder } from './feed-rebuilder.js';
import { FeedTiers } from './feed-tiers.js';

/** Whether `readerId` follows `authorId` now, and whether the author is a celebrity. */
async function relation(tx: Tx, readerId: string, authorId: string) {
  const [row] = await tx.manager.query<{ following: boolean; celebrity: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM social.follows WHERE follower_id = $1 AND followee_id = $2)
              AND NOT EXISTS (SELECT 1 FROM social.mutes WHERE muter_id = $1 AND muted_id = $2)
              AS following,
            c.celebrity
       FROM social.profiles c WHERE c.user_id = $2`,
    [readerId, authorId],
  );
  return row ?? { following: false, celebrity: false };
}

/**
 * Brings `readerId`'s feed in line with the graph as it is now (not as the event says: events
 * may be handled out of order): following a regular author (and not muting them) merges their
 * newest 200 posts in; otherwise their posts are taken out. Celebrities are merged at read.
 */
async function sync(rebuild: FeedRebuilder, tx: Tx, readerId: string, authorId: string) {
  const r = await relation(tx, readerId, authorId);
  if (r.following && !r.celebrity) await rebuild.mergeAuthor([readerId], authorId);
  else if (!r.following) await rebuild.removeAuthor([readerId], authorId);
}

/** Follow / unfollow → the follower's feed, and the followee's tier. */
@Injectable()
@Consumes(FollowChanged, 'social.feed-follow')
export class FeedFollow implements IntegrationEventConsumer<FollowChanged> {
  constructor(
    private readonly rebuild: FeedRebuilder,
    private readonly tiers: FeedTiers,
  ) {}

  async consume(event: FollowChanged, tx: Tx): Promise<void> {
    const { followerId, followeeId } = event.payload;
    const eventId = event.metadata?.id ?? `${followerId}-${followeeId}`;
    await this.tiers.followersChanged(
      tx,
      followeeId,
      eventId,
      event.metadata?.correlationId ?? eventId,
    );
    await sync(this.rebuild, tx, followerId, followeeId);
  }
}

/** A block → each side's posts out of the other's feed (the follows ended with it). */
@Injectable()
@Consumes(BlockChanged, 'social.feed-block')
export class FeedBlock implements IntegrationEventConsumer<BlockChanged> {
  constructor(private readonly rebuild: FeedRebuilder) {}

  async consume(event: BlockChanged, _tx: Tx): Promise<void> {
    const { blockerId, blockedId, blocked } = event.payload;
    if (!blocked) return;
    await this.rebuild.removeAuthor([blockerId], blockedId);
    await this.rebuild.removeAuthor([blockedId], blockerId);
  }
}

/** A mute → the muted author's posts out of the muter's feed; unmute → merged back in. */
@Injectable()
@Consumes(MuteChanged, 'social.feed-mute')
export class FeedMute implements IntegrationEventConsumer<MuteChanged> {
  constructor(private readonly rebuild: FeedRebuilder) {}

  async consume(event: MuteChanged, tx: Tx): Promise<void> {
    const { muterId, mutedId } = event.payload;
    await sync(this.rebuild, tx, muterId, mutedId);
  }
}
