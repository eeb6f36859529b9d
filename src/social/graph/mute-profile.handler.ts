import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import type { ProfileView } from '../profiles/profiles.dto.js';
import { MuteChanged } from '../social.events.js';
import { changeRelation, setEdge } from './graph-edges.js';

/** Mutes (`muted: true`) or unmutes the profile at `handle`. */
export class MuteProfile extends Command<ProfileView> {
  constructor(
    readonly userId: string,
    readonly handle: string,
    readonly muted: boolean,
  ) {
    super();
  }
}

/**
 * A muted profile's posts never reach your feed; they are not told and still see yours.
 * Idempotent both ways; MuteChanged only on a change.
 */
@CommandHandler(MuteProfile)
export class MuteProfileHandler implements ICommandHandler<MuteProfile> {
  constructor(private readonly transactions: Transactions) {}

  execute({ userId, handle, muted }: MuteProfile): Promise<ProfileView> {
    return this.transactions.run((tx) =>
      changeRelation(
        tx,
        userId,
        handle,
        async (mutedId) => {
          if (!(await setEdge(tx, 'mutes', userId, mutedId, muted))) return;
          await tx.publish(new MuteChanged({ muterId: userId, mutedId, muted }));
        },
        // Unmuting someone who blocks you must still work (the mute is yours).
        { allowBlockedBy: !muted },
      ),
    );
  }
}
