import { AppError, defineErrors } from '@app/platform';

/** Notifications' problem codes: the error class, the `/problems` catalogue and the README table. */
export const NOTIFICATIONS_ERRORS = defineErrors({
  'notifications.not_found': {
    status: 404,
    meaning: 'No such notification in your inbox.',
    action: 'List the inbox and use one of its ids.',
  },
});
export type NotificationsErrorCode = keyof typeof NOTIFICATIONS_ERRORS;

export class NotificationsError extends AppError {
  constructor(code: NotificationsErrorCode, detail: string) {
    super(code, NOTIFICATIONS_ERRORS[code].status, detail);
  }
}
