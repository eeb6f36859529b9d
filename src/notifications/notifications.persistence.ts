import { NotificationsSchema1795482193460 } from './migrations/1795482193460-NotificationsSchema.js';
import { Notification, Recipient } from './notifications.entities.js';

/** Schema `notifications`: its entities and migrations, registered in src/database.ts. */
export const notificationsEntities = [Recipient, Notification];
export const notificationsMigrations = [NotificationsSchema1795482193460];
