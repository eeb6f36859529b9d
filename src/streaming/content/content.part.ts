import type { StreamingPart } from '../streaming-part.js';
import { SourceIntake } from './source-intake.js';
import { TusController } from './tus.controller.js';
import { TusUploads } from './tus-uploads.js';
import { UploadSourceHandler } from './upload-source.handler.js';
import { VideoAccess } from './video-access.js';
import { CreateVideoHandler, DeleteVideoHandler, UpdateVideoHandler } from './video-commands.js';
import { GetVideoHandler, ListVideosHandler } from './video-queries.js';
import { VideoViews } from './video-views.js';
import { VideosController } from './videos.controller.js';

/** content: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const CONTENT_PART: StreamingPart = {
  imports: [],
  controllers: [VideosController, TusController],
  providers: [
    VideoAccess,
    VideoViews,
    SourceIntake,
    TusUploads,
    CreateVideoHandler,
    UpdateVideoHandler,
    DeleteVideoHandler,
    GetVideoHandler,
    ListVideosHandler,
    UploadSourceHandler,
  ],
};
