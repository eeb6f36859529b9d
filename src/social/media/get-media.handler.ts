import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SocialError } from '../social.error.js';
import type { MediaRow } from './media.entity.js';
import { toMediaView, type MediaView } from './media.dto.js';

/** A media row by id, or 404 `social.media_not_found`. */
export async function findMedia(db: DataSource, id: string): Promise<MediaRow> {
  const [row] = await db.query<MediaRow[]>(`SELECT * FROM social.media WHERE id = $1`, [id]);
  if (!row) throw new SocialError('social.media_not_found', `No media ${id}.`);
  return row;
}

export class GetMedia extends Query<MediaView> {
  constructor(readonly id: string) {
    super();
  }
}

/** An upload's metadata and URLs (public: ids are unguessable, as the bytes' route is). */
@QueryHandler(GetMedia)
export class GetMediaHandler implements IQueryHandler<GetMedia> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ id }: GetMedia): Promise<MediaView> {
    return toMediaView(await findMedia(this.db, id));
  }
}
