import { defineContext } from '@app/platform';
import { IdentityConfig } from './identity.config.js';
import { IDENTITY_ERRORS } from './identity.error.js';
import { User } from './accounts/user.entity.js';
import { IdentityModule } from './identity.module.js';
import { IdentitySchema1795478700000 } from './migrations/1795478700000-IdentitySchema.js';
import { RefreshToken } from './sessions/refresh-token.entity.js';

/** Accounts, credentials, sessions and roles. Schema `identity`, Redis `identity:`. */
export const identityContext = defineContext({
  name: 'identity',
  description: 'Accounts, login, sessions and roles',
  config: IdentityConfig,
  entities: [User, RefreshToken],
  migrations: [IdentitySchema1795478700000],
  errors: IDENTITY_ERRORS,
  module: IdentityModule,
  roles: ['customer'],
});
