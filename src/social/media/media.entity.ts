import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type MediaKind = 'image' | 'video';

/**
 * An uploaded file, stored through the platform storage port under `storage_key` (and, for
 * images, a display-size copy and a thumbnail). The row is written only after every stored
 * object exists, so a failed upload leaves no row.
 */
@Entity({ schema: 'social', name: 'media' })
@Index('media_owner_idx', ['ownerId', 'id'])
export class Media {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'owner_id' }) ownerId: string;
  @Column('text') kind: MediaKind;
  /** Detected from the bytes (file-type), never the client's header. */
  @Column('text', { name: 'content_type' }) contentType: string;
  @Column('bigint', { name: 'size_bytes' }) sizeBytes: string;
  @Column('int', { nullable: true }) width: number | null;
  @Column('int', { nullable: true }) height: number | null;
  @Column('text', { name: 'storage_key' }) storageKey: string;
  @Column('text', { name: 'display_key', nullable: true }) displayKey: string | null;
  @Column('text', { name: 'thumb_key', nullable: true }) thumbKey: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

/** A `social.media` row as raw SQL returns it. */
export interface MediaRow {
  id: string;
  owner_id: string;
  kind: MediaKind;
  content_type: string;
  size_bytes: string;
  width: number | null;
  height: number | null;
  storage_key: string;
  display_key: string | null;
  thumb_key: string | null;
  created_at: Date;
}
