import { UserFollowed } from '@app/contracts/social';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { activityFor } from '../posts/activity.js';
import type { ProfileView } from '../profiles/profiles.dto.js';
import { SocialError } from '../social.error.js';
import { addFollow, blockBetween, changeRelation } from './graph-edges.js';

export class FollowProfile extends Command<ProfileView> {
  constructor(
    readonly userId: string,
    readonly handle: string,
  ) {
    super();
  }
}

/**
 * Follows the profile at `handle`: idempotent (a second follow changes nothing and writes no
 * event); a block either way is 404, as for a handle that does not exist.
 */
@CommandHandler(FollowProfile)
export class FollowProfileHandler implements ICommandHandler<FollowProfile> {
  constructor(private readonly transactions: Transactions) {}

  execute({ userId, handle }: FollowProfile): Promise<ProfileView> {
    return this.transactions.run((tx) =>
      changeRelation(
        tx,
        userId,
        handle,
        async (followeeId) => {
          // After the lock: a block committed meanwhile is seen here.
          if (await blockBetween(tx.manager, userId, followeeId)) {
            throw new SocialError('social.profile_not_found', `No profile @${handle}.`);
          }
          if (!(await addFollow(tx, userId, followeeId))) return;
          const activity = await activityFor(tx.manager, userId, followeeId);
          if (activity) await tx.publish(new UserFollowed(activity));
        },
        { hideBlockedByViewer: true },
      ),
    );
  }
}
