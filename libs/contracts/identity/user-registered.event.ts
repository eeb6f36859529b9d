import { IntegrationEvent } from '../envelope.js';

export interface UserRegisteredPayload {
  userId: string;
  email: string;
  displayName: string;
  roles: string[];
  /** ISO-8601 UTC. */
  registeredAt: string;
}

/** A new account exists. Other contexts build their user projections from it. */
export class UserRegistered extends IntegrationEvent<UserRegisteredPayload> {
  static override readonly type = 'identity.user-registered';
  static override readonly version = 1;
}
