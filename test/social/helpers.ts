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

/** The social events written to the outbox so far of `type` whose payload matches `where`. */
export async function outboxEvents(
  t: TestApp,
  type: string,
  where: Record<string, unknown> = {},
): Promise<Record<string, unknown>[]> {
  const rows = await t.dataSource.query<{ payload: Record<string, unknown> }[]>(
    `SELECT payload FROM platform.outbox WHERE type = $1 AND payload @> $2::jsonb ORDER BY id`,
    [type, JSON.stringify(where)],
  );
  return rows.map((r) => r.payload);
}

/** `PUT|DELETE /v1/social/profiles/{handle}/{what}` as `user`. */
export function relate(
  t: TestApp,
  user: TestUser,
  method: 'PUT' | 'DELETE',
  handle: string,
  what: 'follow' | 'block' | 'mute',
) {
  return t.request(method, `/v1/social/profiles/${handle}/${what}`, undefined, {
    token: user.accessToken,
  });
}

/** `POST /v1/social/posts` as `user`; throws unless 201. Returns the PostView. */
export async function newPost(
  t: TestApp,
  user: TestUser,
  body: { text: string; mediaIds?: string[]; replyToId?: string; draft?: boolean },
): Promise<{ id: string } & Record<string, unknown>> {
  const res = await t.post('/v1/social/posts', body, { token: user.accessToken });
  if (res.statusCode !== 201) throw new Error(`create post: ${res.statusCode} ${res.body}`);
  return res.json();
}
