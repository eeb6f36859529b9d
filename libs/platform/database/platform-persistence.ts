import { ConsumerRow, InboxRow, OutboxRow } from '../messaging/messaging.entities.js';
import { PlatformMessaging1795478600000 } from './migrations/1795478600000-PlatformMessaging.js';
import { OutboxInternalEvents1795490000000 } from './migrations/1795490000000-OutboxInternalEvents.js';
import { OutboxTraceparent1795500000000 } from './migrations/1795500000000-OutboxTraceparent.js';
import { PlatformTenantRole1796500000000 } from './migrations/1796500000000-PlatformTenantRole.js';

/** Entities and migrations of the `platform` schema (outbox, inbox). */
export const platformEntities = [OutboxRow, InboxRow, ConsumerRow];
export const platformMigrations = [
  PlatformMessaging1795478600000,
  OutboxInternalEvents1795490000000,
  OutboxTraceparent1795500000000,
  PlatformTenantRole1796500000000,
];
