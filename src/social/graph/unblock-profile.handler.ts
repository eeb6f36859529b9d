import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import type { ProfileView } from '../profiles/profiles.dto.js';
import { BlockChanged } from '../social.events.js';
import { changeRelation, setEdge } from './graph-edges.js';

export class UnblockProfile extends Command<ProfileView> {
  constructor(
    readonly userId: string,
    readonly handle: string,
  ) {
    super();
  }
}

/** Lifts your block (the follows it ended stay ended). Idempotent; BlockChanged only on a change. */
@CommandHandler(UnblockProfile)
export class UnblockProfileHandler implements ICommandHandler<UnblockProfile> {
  constructor(private readonly transactions: Transactions) {}

  execute({ userId, handle }: UnblockProfile): Promise<ProfileView> {
    return this.transactions.run((tx) =>
      changeRelation(
        tx,
        userId,
        handle,
        async (blockedId) => {
          if (!(await setEdge(tx, 'blocks', userId, blockedId, false))) return;
          await tx.publish(new BlockChanged({ blockerId: userId, blockedId, blocked: false }));
        },
        // A block of yours ends even when they block you too.
        { allowBlockedBy: true },
      ),
    );
  }
}
