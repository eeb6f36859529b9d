import { AppError, defineErrors } from '@app/platform';

/** Notifications' problem codes: the error class, the `/problems` catalogue and the README table. */
export const NOTIFICATIONS_ERRORS = defineErrors({
  'notifications.not_found': {
    status: 404,
    meaning: 'No such notification in your inbox.',
    action: 'List the inbox and use one of its ids.',
  },
  'notifications.contact_missing': {
    status: 409,
    meaning: 'There is no address to verify on this channel (no phone added yet).',
    action: 'Add a phone with `PUT /v1/notifications/preferences`, then request a code.',
  },
  'notifications.contact_verified': {
    status: 409,
    meaning: 'This address is already verified.',
    action: 'Nothing to do; messages already go to it.',
  },
  'notifications.verification_throttled': {
    status: 429,
    meaning: 'Too many verification codes requested for this channel in the last hour.',
    action: 'Use the last code sent, or wait for `retryAfter` seconds and request a new one.',
  },
  'notifications.verification_failed': {
    status: 422,
    meaning: 'The code is wrong, expired, or was never requested for the current address.',
    action: 'Check the latest code sent (it is valid for 10 minutes) or request a new one.',
  },
  'notifications.verification_locked': {
    status: 409,
    meaning: 'Too many wrong codes: this code no longer verifies anything.',
    action: 'Request a new code and enter that one.',
  },
});
export type NotificationsErrorCode = keyof typeof NOTIFICATIONS_ERRORS;

export class NotificationsError extends AppError {
  constructor(code: NotificationsErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, NOTIFICATIONS_ERRORS[code].status, detail, extensions);
  }
}
