import { defineContext } from '@app/platform';
import { NOTIFICATIONS_ERRORS } from './notifications.error.js';
import { NotificationsSchema1795482193460 } from './migrations/1795482193460-NotificationsSchema.js';
import { ContactVerification1796171239264 } from './migrations/1796171239264-ContactVerification.js';
import { SocialNotifications1796300000400 } from './migrations/1796300000400-SocialNotifications.js';
import { ContactVerification } from './contacts/contact-verification.entity.js';
import { NotificationsConfig } from './notifications.config.js';
import { Notification } from './delivery/notification.entity.js';
import { NotificationsModule } from './notifications.module.js';
import { Recipient } from './preferences/recipient.entity.js';

/** Priority routing of events to email, SMS, push and the in-app inbox. Schema `notifications`. */
export const notificationsContext = defineContext({
  name: 'notifications',
  description: 'In-app inbox and channel preferences',
  config: NotificationsConfig,
  entities: [Recipient, Notification, ContactVerification],
  migrations: [
    NotificationsSchema1795482193460,
    ContactVerification1796171239264,
    SocialNotifications1796300000400,
  ],
  errors: NOTIFICATIONS_ERRORS,
  module: NotificationsModule,
});
