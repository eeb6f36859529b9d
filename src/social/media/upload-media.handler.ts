import { Logger } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { VideoUploaded } from '@app/contracts/social';
import { ObjectStorage, Transactions, type MultipartForm, type UploadedFile } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { SocialConfig } from '../social.config.js';
import { SocialError } from '../social.error.js';
import { imageVariants, MEDIA_TYPES, sniff, type Sniffed } from './media-files.js';
import type { MediaRow } from './media.entity.js';
import { toMediaView, type MediaView } from './media.dto.js';

export class UploadMedia extends Command<MediaView> {
  constructor(
    readonly ownerId: string,
    readonly form: MultipartForm,
  ) {
    super();
  }
}

/** The columns of a `social.media` row the upload decides. */
type NewMedia = Omit<MediaRow, 'id' | 'owner_id' | 'created_at'>;

const FIELD = 'file';

/**
 * One file from the form's `file` field, typed by its first bytes. An image is re-encoded into
 * its three metadata-free sizes; a video is streamed into storage as it is and announced to
 * streaming (`social.video-uploaded`, in the row's transaction). The row is written only once
 * every object exists; any failure removes the objects already written, so a refused or broken
 * upload leaves neither a row nor a file.
 */
@CommandHandler(UploadMedia)
export class UploadMediaHandler implements ICommandHandler<UploadMedia> {
  private readonly logger = new Logger(UploadMediaHandler.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly storage: ObjectStorage,
    private readonly config: SocialConfig,
  ) {}

  async execute({ ownerId, form }: UploadMedia): Promise<MediaView> {
    const images = this.config.SOCIAL_MEDIA_MAX_IMAGE_BYTES;
    const videos = this.config.SOCIAL_MEDIA_MAX_VIDEO_BYTES;
    const file = await form.file(FIELD, {
      maxBytes: Math.max(images, videos),
      tooLarge: (max) =>
        new SocialError('social.media_too_large', `The file is larger than ${max} bytes.`, {
          maxBytes: max,
        }),
    });
    const id = uuidv7();
    const written: string[] = [];
    try {
      const media = await this.store(id, file, written, { images, videos });
      await form.end(FIELD);
      return await this.transactions.run(async (tx) => {
        const [row] = await tx.manager.query<MediaRow[]>(
          `INSERT INTO social.media (id, owner_id, kind, content_type, size_bytes, width, height,
                  storage_key, display_key, thumb_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
          [
            id,
            ownerId,
            media.kind,
            media.content_type,
            media.size_bytes,
            media.width,
            media.height,
            media.storage_key,
            media.display_key,
            media.thumb_key,
          ],
        );
        if (media.kind === 'video') {
          await tx.publish(
            new VideoUploaded({
              mediaId: id,
              ownerId,
              storageKey: media.storage_key,
              contentType: media.content_type,
              sizeBytes: Number(media.size_bytes),
            }),
          );
        }
        return toMediaView(row!);
      });
    } catch (err) {
      await this.remove(written);
      throw err;
    }
  }

  /** Writes the objects (their keys pushed to `written` as each put starts). */
  private async store(
    id: string,
    file: UploadedFile,
    written: string[],
    max: { images: number; videos: number },
  ): Promise<NewMedia> {
    const sniffed = await sniff(file.stream);
    const type = sniffed.contentType;
    const kind = type ? MEDIA_TYPES[type] : undefined;
    if (!type || !kind) {
      throw new SocialError(
        'social.media_unsupported',
        'The file is not a JPEG, PNG, WebP or GIF image, nor an MP4, WebM or QuickTime video.',
      );
    }
    const limit = kind === 'image' ? max.images : max.videos;
    file.limitTo(limit);
    if (sniffed.head.length > limit) {
      throw new SocialError('social.media_too_large', `The file is larger than ${limit} bytes.`, {
        maxBytes: limit,
      });
    }
    const key = (size: string) => `social/media/${id}/${size}`;
    if (kind === 'video') {
      written.push(key('original'));
      const stored = await this.storage.put(key('original'), sniffed.body, type);
      return {
        kind,
        content_type: type,
        size_bytes: String(stored.size),
        width: null,
        height: null,
        storage_key: key('original'),
        display_key: null,
        thumb_key: null,
      };
    }
    const variants = await this.decode(sniffed, type);
    written.push(...variants.map((v) => key(v.size)));
    const puts = await Promise.allSettled(
      variants.map((v) => this.storage.put(key(v.size), v.bytes, type)),
    );
    const failed = puts.find((p) => p.status === 'rejected');
    if (failed) throw failed.reason;
    const [original, display] = variants;
    return {
      kind,
      content_type: type,
      size_bytes: String(original!.bytes.length),
      width: display!.width,
      height: display!.height,
      storage_key: key('original'),
      display_key: key('display'),
      thumb_key: key('thumb'),
    };
  }

  /** The whole image (at most the image limit, in memory), in its three sizes. */
  private async decode(sniffed: Sniffed, type: string) {
    const chunks: Buffer[] = [];
    for await (const chunk of sniffed.body) chunks.push(chunk as Buffer);
    try {
      return await imageVariants(Buffer.concat(chunks), type);
    } catch (err) {
      this.logger.debug({ err }, 'an uploaded image did not decode');
      throw new SocialError(
        'social.media_unsupported',
        `The file starts like ${type} but does not decode as one (damaged, truncated or too many pixels).`,
      );
    }
  }

  /** Best effort, never hiding the upload's own error: a delete that fails is logged. */
  private async remove(keys: string[]): Promise<void> {
    const results = await Promise.allSettled(keys.map((k) => this.storage.delete(k)));
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected')
        this.logger.error(
          { err: r.reason, key: keys[i] },
          'could not remove a failed upload’s object',
        );
    }
  }
}
