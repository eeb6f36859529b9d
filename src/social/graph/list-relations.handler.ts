import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PageQuery } from '@app/platform';
import { DataSource } from 'typeorm';
import type { ProfilePage } from './graph.dto.js';
import { BLOCKS, listProfiles, MUTES } from './profile-lists.js';

/** The viewer's own blocks or mutes (nobody else's can be listed). */
export class ListRelations extends Query<ProfilePage> {
  constructor(
    readonly viewerId: string,
    readonly kind: 'blocks' | 'mutes',
    readonly page: PageQuery,
  ) {
    super();
  }
}

@QueryHandler(ListRelations)
export class ListRelationsHandler implements IQueryHandler<ListRelations> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  execute({ viewerId, kind, page }: ListRelations): Promise<ProfilePage> {
    return listProfiles(this.db, viewerId, viewerId, kind === 'blocks' ? BLOCKS : MUTES, page);
  }
}
