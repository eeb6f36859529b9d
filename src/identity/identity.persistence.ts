import { User } from './accounts/user.entity.js';
import { IdentitySchema1795478700000 } from './migrations/1795478700000-IdentitySchema.js';
import { RefreshToken } from './sessions/refresh-token.entity.js';

/** Schema `identity`: its entities and migrations, registered in src/database.ts. */
export const identityEntities = [User, RefreshToken];
export const identityMigrations = [IdentitySchema1795478700000];
