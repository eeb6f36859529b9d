import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { lookupProfile, ownProfile } from './profile-lookup.js';
import { mapProfile, type ProfileView } from './profiles.dto.js';

/** A profile by handle as the viewer sees it (`me` for your own, without a relationship). */
export class GetProfile extends Query<ProfileView> {
  constructor(
    readonly viewerId: string,
    readonly handle: string | 'me',
  ) {
    super();
  }
}

@QueryHandler(GetProfile)
export class GetProfileHandler implements IQueryHandler<GetProfile> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ viewerId, handle }: GetProfile): Promise<ProfileView> {
    if (handle === 'me') return mapProfile(await ownProfile(this.db, viewerId));
    const { profile, relationship } = await lookupProfile(this.db, viewerId, handle);
    return profile.user_id === viewerId ? mapProfile(profile) : mapProfile(profile, relationship);
  }
}
