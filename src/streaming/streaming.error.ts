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
  'streaming.playback_token_invalid': {
    status: 403,
    meaning:
      'The playback token in the media URL is missing, expired, tampered with or for another video (or the video is not public and needs one).',
    action: 'Ask `GET /v1/streaming/videos/{id}/playback` for a fresh signed URL.',
  },
  'streaming.media_not_found': {
    status: 404,
    meaning: 'No such playlist, segment or image in the video’s HLS package.',
    action: 'Use the URIs the master playlist lists (relative to it).',
  },
  'streaming.media_range_not_satisfiable': {
    status: 416,
    meaning: 'The `Range` starts past the end of the file (`Content-Range` says its size).',
    action: 'Ask for a range inside the file.',
  },
  'streaming.rendition_not_found': {
    status: 404,
    meaning: 'The video has no rendition of this name (only the rungs its source allows exist).',
    action: 'Use a rendition name from the video’s `renditions` (`GET /v1/streaming/videos/{id}`).',
  },
  'streaming.plan_not_found': {
    status: 404,
    meaning: 'No subscription plan with this id.',
    action: 'Use a plan id from `GET /v1/streaming/channels/{id}/plans`.',
  },
  'streaming.not_your_channel': {
    status: 403,
    meaning:
      'Plans are created by their channel for itself (`channelId` = your user id); platform plans (`channelId: null`) by admins only.',
    action: 'Create plans for your own channel.',
  },
  'streaming.subscription_not_found': {
    status: 404,
    meaning: 'No subscription of yours with this id.',
    action: 'Use an id from `GET /v1/streaming/subscriptions`.',
  },
  'streaming.already_subscribed': {
    status: 409,
    meaning:
      'You already have a pending, active or past-due subscription to this plan (`subscriptionId` in the problem).',
    action: 'Use that subscription; cancel it first to subscribe again.',
  },
  'streaming.subscription_ended': {
    status: 409,
    meaning:
      'The subscription is over (`status` CANCELED, LAPSED or INCOMPLETE): it can no longer be changed.',
    action: 'Subscribe again with `POST /v1/streaming/subscriptions`.',
  },
  'streaming.analytics_forbidden': {
    status: 403,
    meaning: 'A channel’s analytics are for the channel itself (its uploader) and admins only.',
    action: 'Ask for your own channel’s analytics: your user id is your channel id.',
  },
  'streaming.upload_not_found': {
    status: 404,
    meaning: 'No tus upload with this id of yours (unknown, finished, or of another channel).',
    action: 'Create an upload with `POST /v1/streaming/uploads` and use its `Location`.',
  },
  'streaming.tus_version_unsupported': {
    status: 412,
    meaning: 'The request is not tus 1.0.0: `Tus-Resumable` is missing or names another version.',
    action: 'Send `Tus-Resumable: 1.0.0` (every tus client does).',
  },
  'streaming.tus_request_invalid': {
    status: 400,
    meaning:
      'A tus header is missing or malformed (`Upload-Offset`, `Upload-Length`, `Content-Type: application/offset+octet-stream`); `detail` names it.',
    action: 'Send the headers the tus 1.0 core protocol asks for, or use a tus client.',
  },
  'streaming.tus_offset_mismatch': {
    status: 409,
    meaning:
      '`Upload-Offset` is not where the upload is (a PATCH was lost, or another client is sending).',
    action: 'HEAD the upload for its `Upload-Offset` and resume from there.',
  },
});
export type StreamingErrorCode = keyof typeof STREAMING_ERRORS;

export class StreamingError extends AppError {
  constructor(code: StreamingErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, STREAMING_ERRORS[code].status, detail, extensions);
  }
}
