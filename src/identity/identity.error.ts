import { AppError } from '@app/platform';

export type IdentityErrorCode =
  | 'identity.email_taken'
  | 'identity.invalid_credentials'
  | 'identity.invalid_refresh_token'
  | 'identity.refresh_token_expired'
  | 'identity.refresh_token_reused'
  | 'identity.user_not_found';

const STATUS: Record<IdentityErrorCode, number> = {
  'identity.email_taken': 409,
  'identity.invalid_credentials': 401,
  'identity.invalid_refresh_token': 401,
  'identity.refresh_token_expired': 401,
  'identity.refresh_token_reused': 401,
  'identity.user_not_found': 404,
};

export class IdentityError extends AppError {
  constructor(code: IdentityErrorCode, detail: string) {
    super(code, STATUS[code], detail);
  }
}
