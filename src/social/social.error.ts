import { AppError, defineErrors } from '@app/platform';

/** Social's problem codes: the error class, the `/problems` catalogue and the README table. */
export const SOCIAL_ERRORS = defineErrors({
  'social.profile_not_found': {
    status: 404,
    meaning:
      'No profile with this handle that you can see (it does not exist, or blocks involve you).',
    action: 'Check the handle (`GET /v1/social/profiles/me` shows yours).',
  },
  'social.handle_taken': {
    status: 409,
    meaning: 'Another profile already has this handle (handles are case-insensitive).',
    action: 'Choose another handle.',
  },
  'social.self_follow': {
    status: 400,
    meaning: 'You cannot follow, block or mute yourself.',
    action: 'Use the handle of another profile.',
  },
  'social.post_not_found': {
    status: 404,
    meaning:
      'No post with this id that you can see (deleted, a draft of someone else, or blocks involve you).',
    action: 'Use a post id from a feed, a timeline or `POST /v1/social/posts`.',
  },
  'social.not_author': {
    status: 403,
    meaning: 'Only the author of a post can do this to it.',
    action: 'Act on your own posts only.',
  },
  'social.post_deleted': {
    status: 409,
    meaning: 'The post was deleted: it can no longer be liked, shared or commented on.',
    action: 'Nothing to do; the post is gone.',
  },
  'social.not_a_draft': {
    status: 409,
    meaning: 'The post is already published.',
    action: 'Only drafts (`draft: true`) can be published.',
  },
  'social.post_is_draft': {
    status: 409,
    meaning: 'The post is your draft: it cannot be liked, shared or commented on yet.',
    action: 'Publish it first with `POST /v1/social/posts/{id}/publish`.',
  },
  'social.media_not_found': {
    status: 404,
    meaning:
      'No media with this id — or, to attach it to a post or profile, not one of your own uploads.',
    action: 'Upload it first with `POST /v1/social/media` and use the id it answers.',
  },
  'social.media_too_large': {
    status: 413,
    meaning: 'The file is larger than its type allows (images 10 MB, videos 100 MB by default).',
    action: 'Send a smaller file.',
  },
  'social.media_unsupported': {
    status: 415,
    meaning:
      'The file is not a JPEG, PNG, WebP or GIF image, nor an MP4, WebM or QuickTime video (checked from its bytes, not its name or header).',
    action: 'Send one of those types.',
  },
  'social.media_range_not_satisfiable': {
    status: 416,
    meaning:
      'The `Range` asked for starts past the end of the file (`Content-Range: bytes */<size>` gives its size).',
    action: 'Ask for a range within the file, or for the whole file without `Range`.',
  },
});
export type SocialErrorCode = keyof typeof SOCIAL_ERRORS;

export class SocialError extends AppError {
  constructor(code: SocialErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, SOCIAL_ERRORS[code].status, detail, extensions);
  }
}
