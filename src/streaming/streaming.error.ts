import { AppError, defineErrors } from '@app/platform';

/** Streaming's problem codes: the error class, the `/problems` catalogue and the README table. */
export const STREAMING_ERRORS = defineErrors({
  'streaming.video_not_found': {
    status: 404,
    meaning:
      'No video with this id that you can see (it does not exist, or it is private to its channel).',
    action: 'Use a video id from `GET /v1/streaming/videos` or the one an upload answered.',
  },
  'streaming.not_channel_owner': {
    status: 403,
    meaning: 'Only the channel that uploaded the video can do this to it.',
    action: 'Act on your own videos only.',
  },
  'streaming.upload_too_large': {
    status: 413,
    meaning: 'The file is larger than uploads allow (`maxBytes` in the problem says how large).',
    action: 'Send a smaller file (or, for large files, use the tus endpoint).',
  },
  'streaming.not_a_video': {
    status: 415,
    meaning: 'ffprobe did not recognise the file as a media container.',
    action: 'Send a video file (MP4, WebM, QuickTime, Matroska…).',
  },
  'streaming.no_video_stream': {
    status: 422,
    meaning: 'The file is a media container without a video stream (audio only, or empty).',
    action: 'Send a file with a video track.',
  },
  'streaming.corrupt_video': {
    status: 422,
    meaning:
      'ffprobe could not read the video stream (truncated or damaged file); `reason` says why.',
    action: 'Re-export the file and upload it again.',
  },
  'streaming.video_too_long': {
    status: 422,
    meaning: 'The video is longer than uploads allow (`maxSeconds` in the problem).',
    action: 'Trim the video.',
  },
  'streaming.invalid_state': {
    status: 409,
    meaning: 'The video is not in a state that allows this (`state` in the problem says which).',
    action: 'Check `GET /v1/streaming/videos/{id}` for its state and timeline.',
  },
  'streaming.subscription_required': {
    status: 403,
    meaning:
      'The video is for the channel’s subscribers: it plays only while you have an active subscription.',
    action: 'Subscribe with `POST /v1/streaming/subscriptions` to one of the channel’s plans.',
  },
});
export type StreamingErrorCode = keyof typeof STREAMING_ERRORS;

export class StreamingError extends AppError {
  constructor(code: StreamingErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, STREAMING_ERRORS[code].status, detail, extensions);
  }
}
