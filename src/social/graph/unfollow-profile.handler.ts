import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import type { ProfileView } from '../profiles/profiles.dto.js';
import { changeRelation, removeFollow } from './graph-edges.js';

export class UnfollowProfile extends Command<ProfileView> {
  constructor(
    readonly userId: string,
    readonly handle: string,
  ) {
    super();
  }
}

/** Stops following: idempotent; FollowChanged only when a follow was removed. */
@CommandHandler(UnfollowProfile)
export class UnfollowProfileHandler implements ICommandHandler<UnfollowProfile> {
  constructor(private readonly transactions: Transactions) {}

  execute({ userId, handle }: UnfollowProfile): Promise<ProfileView> {
    return this.transactions.run((tx) =>
      changeRelation(tx, userId, handle, async (followeeId) => {
        await removeFollow(tx, userId, followeeId);
      }),
    );
  }
}
