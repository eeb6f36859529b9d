import type { Customer, World } from './api-fixtures.js';

/** How a path parameter is resolved: the resource it names and whether a customer owns it. */
export interface PathResource {
  owned: boolean;
  value: (world: World, customer: Customer) => string | undefined;
  /**
   * Operations that take this body field but cannot judge it there and then: the context that
   * owns the resource checks it later (payments charges only its owner's cards).
   */
  checkedLater?: string[];
}

/**
 * Path parameters by `<last static segment before it>:<name>`. A new route whose parameter is
 * not here fails the access matrix with a message naming this map.
 */
export const PATH_RESOURCES: Record<string, PathResource> = {
  'products:id': { owned: false, value: (w) => w.products[0]!.id },
  'items:productId': { owned: false, value: (w) => w.products[1]!.id },
  'inventory:sku': { owned: false, value: (w) => w.products[0]!.sku },
  'problems:code': { owned: false, value: () => 'platform.not_found' },
  'deliveries:eventId': { owned: false, value: (w) => w.delivery?.eventId },
  'deliveries:consumer': { owned: false, value: (w) => w.delivery?.consumer },
  'orders:id': { owned: true, value: (_, c) => c.orders[0] },
  'accounts:id': { owned: true, value: (_, c) => c.accounts[0] },
  'transfers:id': { owned: true, value: (_, c) => c.transfers[0] },
  'notifications:id': { owned: true, value: (_, c) => c.notifications[0] },
  'contacts:channel': { owned: false, value: () => 'sms' },
  // Served publicly (for <img>/<video>; ids are unguessable), so anyone's is anyone's to read.
  'media:id': { owned: false, value: (_, c) => c.media[0] },
  // Profiles are public (a block hides one, tested in test/social); the admin's is anyone's.
  'profiles:handle': { owned: false, value: (w) => w.socialHandle },
  // The draft: nobody but its author may read, publish, delete, like, share or comment on it.
  'posts:id': { owned: true, value: (_, c) => c.drafts[0] },
  // Streaming: the private video and its upload are A's alone; so is A's subscription.
  'videos:id': { owned: true, value: (_, c) => c.streaming.videos[0] },
  'uploads:uploadId': { owned: true, value: (_, c) => c.streaming.uploads[0] },
  'subscriptions:id': { owned: true, value: (_, c) => c.streaming.subscriptions[0] },
  'renditions:name': { owned: false, value: () => '720p' },
  // A channel is its owner's user id and public (its plans are listed to anyone); its
  // analytics answer 403 to anyone else (test/streaming/analytics).
  'channels:id': { owned: false, value: (w) => w.admin.id },
  'plans:id': { owned: false, value: (w) => w.planId },
  // Signed media: no bearer token (the path's token is the grant); `public` for public videos.
  'media:videoId': { owned: false, value: (_, c) => c.streaming.videos[0] },
  'media:token': { owned: false, value: () => 'public' },
  'media:rendition': { owned: false, value: () => '720p' },
  'media:file': { owned: false, value: () => 'index.m3u8' },
  'player:asset': { owned: false, value: () => 'player-000000000000.js' },
  // SaaS: A's tenant and everything in it are A's; tenant routes act in the token's tenant.
  'tenants:id': { owned: true, value: (_, c) => c.saas.tenantId },
  'projects:id': { owned: true, value: (_, c) => c.saas.projectId },
  'tasks:id': { owned: true, value: (_, c) => c.saas.taskId },
  'invoices:id': { owned: true, value: (_, c) => c.saas.invoiceId },
  // A's colleague is a member of A's tenant, not of B's.
  'members:userId': { owned: true, value: (_, c) => c.saas.memberId },
  'invitations:id': { owned: true, value: (_, c) => c.saas.invitationId },
  // An invitation to A's email: only A may accept it.
  'invitations:invitationId': { owned: true, value: (_, c) => c.saas.incomingInvitationId },
  // A signed invoice link is a capability: whoever holds it may read the page.
  'invoice-pages:tenantId': { owned: false, value: (_, c) => c.saas.tenantId },
  'invoice-pages:invoiceId': { owned: false, value: (_, c) => c.saas.invoiceId },
  'invoice-pages:signature': { owned: false, value: (_, c) => c.saas.invoiceSignature },
};

/** Body fields that name something: real values make valid requests reach the handler. */
export const BODY_RESOURCES: Record<string, PathResource> = {
  // Streaming keeps a subscription's card token and payments refuses a card of someone else's
  // when it charges (a failed charge: the subscription goes PAST_DUE, then LAPSED).
  cardToken: {
    owned: true,
    value: (_, c) => c.cards[0]!.token,
    checkedLater: ['streaming_createSubscription', 'streaming_updateSubscription'],
  },
  fromAccountId: { owned: true, value: (_, c) => c.accounts[0] },
  // A's own user id: a member of A's tenant only (B assigning it → 422, as an unknown id).
  assigneeId: { owned: true, value: (_, c) => c.user.id },
  // Creating a tenant for another owner is for administrators: refused to customers either way.
  ownerId: { owned: true, value: (_, c) => c.user.id },
  // Kept as the tenant's billing card; payments charges only its owner's cards.
  billingCardToken: {
    owned: true,
    value: (_, c) => c.cards[0]!.token,
    checkedLater: ['saas_updateTenant'],
  },
  toAccountId: { owned: false, value: (_, c) => c.accounts[1] },
  productId: { owned: false, value: (w) => w.products[0]!.id },
  categoryId: { owned: false, value: (w) => w.categoryId },
  parentId: { owned: false, value: (w) => w.categoryId },
  replyToId: { owned: true, value: (_, c) => c.drafts[0] },
  planId: { owned: false, value: (w) => w.planId },
  // A credential, not an id: whoever holds it may use it, so not an access-matrix cell.
  refreshToken: { owned: false, value: (_, c) => c.spareRefreshTokens.pop() },
};

/** The map key of a path parameter: `/v1/payments/accounts/{id}/entries` + `id` → `accounts:id`. */
export function pathResourceKey(path: string, param: string): string {
  const segments = path.split('/');
  const at = segments.indexOf(`{${param}}`);
  const before = segments.slice(0, at).filter((s) => s && !s.startsWith('{'));
  return `${before.at(-1) ?? ''}:${param}`;
}
