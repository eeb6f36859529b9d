import { IntegrationEvent } from '../envelope.js';

/**
 * A video was uploaded to social and stored as-is through the platform storage port; streaming
 * (issue #13) transcodes it from `storageKey`. Published in the transaction that records the
 * upload, so it exists if and only if the media row does.
 */
export class VideoUploaded extends IntegrationEvent<{
  mediaId: string;
  ownerId: string;
  /** The object's key in the platform storage (`social/media/{mediaId}/original`). */
  storageKey: string;
  /** Detected from the bytes: video/mp4, video/webm or video/quicktime. */
  contentType: string;
  sizeBytes: number;
}> {
  static override readonly type = 'social.video-uploaded';
  static override readonly version = 1;
}
