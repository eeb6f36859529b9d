import type { ContextDescriptor } from '@app/platform';
import { commerceContext } from './commerce/commerce.context.js';
import { identityContext } from './identity/identity.context.js';
import { notificationsContext } from './notifications/notifications.context.js';
import { paymentsContext } from './payments/payments.context.js';
import { socialContext } from './social/social.context.js';
import { saasContext } from './saas/saas.context.js';
import { streamingContext } from './streaming/streaming.context.js';

/**
 * Every bounded context of the product, one line each: the composition root (app.module.ts), the
 * DataSource (database.ts), the valid `CONTEXTS` values, the config loader, the role set and the
 * Swagger tags are all derived from this list. Adding a context = its folder, its line here, and
 * its `libs/contracts/<context>/` folder (README › Adding a context). The order is the reading
 * order of the API document's tags (the platform's come last).
 */
export const CONTEXTS: readonly ContextDescriptor[] = [
  identityContext,
  commerceContext,
  paymentsContext,
  notificationsContext,
  socialContext,
  streamingContext,
  saasContext,
];
