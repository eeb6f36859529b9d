import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PageQuery } from '@app/platform';
import { DataSource } from 'typeorm';
import { lookupProfile } from '../profiles/profile-lookup.js';
import type { ProfilePage } from './graph.dto.js';
import { FOLLOWERS, FOLLOWING, listProfiles } from './profile-lists.js';

/** Who follows the profile at `handle` (`followers`), or whom it follows (`following`). */
export class ListFollows extends Query<ProfilePage> {
  constructor(
    readonly viewerId: string,
    readonly handle: string,
    readonly direction: 'followers' | 'following',
    readonly page: PageQuery,
  ) {
    super();
  }
}

@QueryHandler(ListFollows)
export class ListFollowsHandler implements IQueryHandler<ListFollows> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ viewerId, handle, direction, page }: ListFollows): Promise<ProfilePage> {
    const { profile } = await lookupProfile(this.db, viewerId, handle);
    const list = direction === 'followers' ? FOLLOWERS : FOLLOWING;
    return listProfiles(this.db, viewerId, profile.user_id, list, page);
  }
}
