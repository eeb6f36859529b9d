import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { MultipartForm, Principal } from '@app/platform';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { StreamingConfig } from '../streaming.config.js';
import { StreamingError } from '../streaming.error.js';
import type { VideoView } from './video.dto.js';
import { SourceIntake } from './source-intake.js';
import { VideoViews } from './video-views.js';

export class UploadSource extends Command<VideoView> {
  constructor(
    readonly caller: Pick<Principal, 'userId' | 'roles'>,
    readonly videoId: string,
    readonly form: MultipartForm,
  ) {
    super();
  }
}

const FIELD = 'file';

/** A temp folder of its own for one upload (removed, with the file, whatever happens). */
export async function withTempFile<T>(run: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'streaming-upload-'));
  try {
    return await run(join(dir, 'source'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The multipart source upload: the video is checked first (the channel's, UPLOADING) so a
 * refused upload is not read; the file is streamed to a temp file (413 past
 * STREAMING_MAX_MULTIPART_BYTES, as soon as the limit is passed), then the shared accept path
 * probes, stores and publishes.
 */
@CommandHandler(UploadSource)
export class UploadSourceHandler implements ICommandHandler<UploadSource> {
  constructor(
    private readonly intake: SourceIntake,
    private readonly views: VideoViews,
    private readonly config: StreamingConfig,
  ) {}

  async execute({ caller, videoId, form }: UploadSource): Promise<VideoView> {
    await this.intake.uploadable(videoId, caller);
    const maxBytes = this.config.STREAMING_MAX_MULTIPART_BYTES;
    const file = await form.file(FIELD, {
      maxBytes,
      tooLarge: (max) =>
        new StreamingError(
          'streaming.upload_too_large',
          `The file is larger than ${max} bytes; send larger files with tus (/v1/streaming/uploads).`,
          { maxBytes: max },
        ),
    });
    // pipeline rejects with the stream's first error (a 413); a later one has nobody to hear it.
    file.stream.on('error', (err) => void err);
    return withTempFile(async (path) => {
      await pipeline(file.stream, createWriteStream(path));
      await form.end(FIELD);
      return this.intake.accept(videoId, path, (video, db) => this.views.one(video, caller, db));
    });
  }
}
