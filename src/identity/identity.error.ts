import { AppError, defineErrors } from '@app/platform';

/** Identity's problem codes: the error class, the `/problems` catalogue and the README table. */
export const IDENTITY_ERRORS = defineErrors({
  'identity.email_taken': {
    status: 409,
    meaning: 'An account with this email already exists.',
    action: 'Log in instead, or register with another email.',
  },
  'identity.invalid_credentials': {
    status: 401,
    meaning: 'The email or the password is wrong (which one is not said).',
    action: 'Ask the person to type them again.',
  },
  'identity.invalid_refresh_token': {
    status: 401,
    meaning: 'The refresh token is malformed, unknown or revoked.',
    action: 'Log in again.',
  },
  'identity.refresh_token_expired': {
    status: 401,
    meaning: 'The refresh token is past its lifetime.',
    action: 'Log in again.',
  },
  'identity.refresh_token_reused': {
    status: 401,
    meaning: 'An already-rotated refresh token was presented: the whole session was revoked.',
    action: 'Log in again; treat it as a possible token theft.',
  },
  'identity.too_many_attempts': {
    status: 429,
    meaning: 'Too many failed logins for this email, or sign-in requests from this client, lately.',
    action: 'Wait `Retry-After` seconds; the right password is refused until then too.',
  },
  'identity.user_not_found': {
    status: 404,
    meaning: 'The account behind the token no longer exists.',
    action: 'Drop the tokens and log in (or register) again.',
  },
});
export type IdentityErrorCode = keyof typeof IDENTITY_ERRORS;

export class IdentityError extends AppError {
  constructor(code: IdentityErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, IDENTITY_ERRORS[code].status, detail, extensions);
  }
}
