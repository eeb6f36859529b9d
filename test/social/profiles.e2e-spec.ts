import { createTestApp, type TestApp } from '@app/testing';
import { newSocialUser } from './helpers.js';

describe('social profiles: a projection of identity, handles unique regardless of case', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates the profile from identity.user-registered with a handle from the email', async () => {
    const email = `Zed.Ka+${Date.now()}@example.com`;
    const user = await newSocialUser(t, { email, displayName: 'Zed Ka' });
    expect(user.handle).toMatch(/^Zed_Ka_\d+/i);
    const me = (await t.get('/v1/social/profiles/me', { token: user.accessToken })).json();
    expect(me).toMatchObject({
      userId: user.id,
      displayName: 'Zed Ka',
      bio: '',
      avatarUrl: null,
      followersCount: 0,
      followingCount: 0,
      postsCount: 0,
    });
    expect(me).not.toHaveProperty('relationship');
  });

  it('changes the handle, refuses a taken one in any case, and finds profiles by handle in any case', async () => {
    const ann = await newSocialUser(t);
    const bob = await newSocialUser(t);
    const handle = `Ann_${Date.now() % 1e8}`;
    const patched = await t.request(
      'PATCH',
      '/v1/social/profiles/me',
      { handle, bio: 'hi' },
      { token: ann.accessToken },
    );
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ handle, bio: 'hi' });

    const taken = await t.request(
      'PATCH',
      '/v1/social/profiles/me',
      { handle: handle.toUpperCase() },
      { token: bob.accessToken },
    );
    expect(taken.statusCode).toBe(409);
    expect(taken.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(taken.json().code).toBe('social.handle_taken');

    const found = await t.get(`/v1/social/profiles/${handle.toLowerCase()}`, {
      token: bob.accessToken,
    });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({
      userId: ann.id,
      handle,
      relationship: { following: false, followedBy: false, blocking: false, muting: false },
    });
  });

  it('answers 400 for a malformed handle and 404 for an unknown one, and refuses a bad patch', async () => {
    const u = await newSocialUser(t);
    const auth = { token: u.accessToken };
    expect((await t.get('/v1/social/profiles/not-a-handle!', auth)).statusCode).toBe(400);
    const missing = await t.get('/v1/social/profiles/nobody_here_123', auth);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('social.profile_not_found');
    const bad = await t.request(
      'PATCH',
      '/v1/social/profiles/me',
      { handle: 'a b', bio: 'x'.repeat(501) },
      auth,
    );
    expect(bad.statusCode).toBe(400);
    const fields = (bad.json().errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['bio', 'handle']);
    const avatar = await t.request(
      'PATCH',
      '/v1/social/profiles/me',
      { avatarMediaId: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' },
      auth,
    );
    expect(avatar.statusCode).toBe(404);
    expect(avatar.json().code).toBe('social.media_not_found');
    const after = (await t.get('/v1/social/profiles/me', auth)).json();
    expect(after).toMatchObject({ handle: u.handle, bio: '' });
  });
});
