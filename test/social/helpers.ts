import { eventually, type TestApp, type TestUser } from '@app/testing';

/** A user whose social profile exists (the projection of identity.user-registered has run). */
export interface SocialUser extends TestUser {
  handle: string;
}

/** Registers a user and waits for their profile; returns it with the handle. */
export async function newSocialUser(
  t: TestApp,
  opts: Parameters<TestApp['newUser']>[0] = {},
): Promise<SocialUser> {
  const user = await t.newUser(opts);
  const profile = await eventually(
    async () => {
      const res = await t.get('/v1/social/profiles/me', { token: user.accessToken });
      if (res.statusCode !== 200) throw new Error(`no profile yet: ${res.statusCode} ${res.body}`);
      return res.json() as { handle: string };
    },
    { timeout: 15_000 },
  );
  return { ...user, handle: profile.handle };
}
