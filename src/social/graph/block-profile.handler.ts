import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import type { ProfileView } from '../profiles/profiles.dto.js';
import { BlockChanged } from '../social.events.js';
import { changeRelation, removeFollow, setEdge } from './graph-edges.js';

export class BlockProfile extends Command<ProfileView> {
  constructor(
    readonly userId: string,
    readonly handle: string,
  ) {
    super();
  }
}

/**
 * Blocks the profile at `handle`: both follows between you end (counts, a FollowChanged each),
 * then BlockChanged. Idempotent: blocking again changes nothing and writes no event.
 */
@CommandHandler(BlockProfile)
export class BlockProfileHandler implements ICommandHandler<BlockProfile> {
  constructor(private readonly transactions: Transactions) {}

  execute({ userId, handle }: BlockProfile): Promise<ProfileView> {
    return this.transactions.run((tx) =>
      changeRelation(tx, userId, handle, async (blockedId) => {
        if (!(await setEdge(tx, 'blocks', userId, blockedId, true))) return;
        await removeFollow(tx, userId, blockedId);
        await removeFollow(tx, blockedId, userId);
        await tx.publish(new BlockChanged({ blockerId: userId, blockedId, blocked: true }));
      }),
    );
  }
}
