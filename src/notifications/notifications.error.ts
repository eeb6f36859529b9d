import { AppError } from '@app/platform';

export type NotificationsErrorCode = 'notifications.not_found';

export class NotificationsError extends AppError {
  constructor(code: NotificationsErrorCode, detail: string) {
    super(code, 404, detail);
  }
}
