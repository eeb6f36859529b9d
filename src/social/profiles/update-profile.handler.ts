import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { isUniqueViolation, Transactions } from '@app/platform';
import { SocialError } from '../social.error.js';
import type { ProfileRow } from './profile.entity.js';
import { ownProfile } from './profile-lookup.js';
import { mapProfile, type ProfileView, type UpdateProfileRequest } from './profiles.dto.js';

export class UpdateProfile extends Command<ProfileView> {
  constructor(
    readonly userId: string,
    readonly changes: UpdateProfileRequest,
  ) {
    super();
  }
}

@CommandHandler(UpdateProfile)
export class UpdateProfileHandler implements ICommandHandler<UpdateProfile> {
  constructor(private readonly transactions: Transactions) {}

  async execute({ userId, changes }: UpdateProfile): Promise<ProfileView> {
    if (changes.handle?.toLowerCase() === 'me') {
      throw new SocialError('social.handle_taken', '@me is reserved: it names your own profile.');
    }
    try {
      return await this.transactions.run(async (tx) => {
        const current = await ownProfile(tx.manager, userId);
        const avatar = changes.avatarMediaId;
        if (avatar) {
          const [m] = await tx.manager.query<unknown[]>(
            `SELECT 1 FROM social.media WHERE id = $1 AND owner_id = $2 AND kind = 'image'`,
            [avatar, userId],
          );
          if (!m)
            throw new SocialError(
              'social.media_not_found',
              `No image ${avatar} among your uploads.`,
            );
        }
        const [[row]] = await tx.manager.query<[ProfileRow[], number]>(
          `UPDATE social.profiles SET handle = $2, handle_lower = lower($2), display_name = $3, bio = $4,
                  avatar_media_id = $5, updated_at = now()
            WHERE user_id = $1 RETURNING *`,
          [
            userId,
            changes.handle ?? current.handle,
            changes.displayName ?? current.display_name,
            changes.bio ?? current.bio,
            avatar === undefined ? current.avatar_media_id : avatar,
          ],
        );
        return mapProfile(row!);
      });
    } catch (e) {
      if (isUniqueViolation(e, 'profiles_handle_key')) {
        throw new SocialError('social.handle_taken', `@${changes.handle} is taken.`);
      }
      throw e;
    }
  }
}
