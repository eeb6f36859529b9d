/** The sizes a stored image is served in (a video has only `original`). */
export type MediaSize = 'original' | 'display' | 'thumb';

/** Where a client fetches a media file (`GET /v1/social/media/{id}/content?size=`). */
export function mediaUrl(id: string, size: MediaSize): string {
  return `/v1/social/media/${id}/content?size=${size}`;
}
