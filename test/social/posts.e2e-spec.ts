import { createTestApp, settled, type TestApp } from '@app/testing';
import { mentionedHandles } from '../../src/social/posts/post-lifecycle.js';
import { newPost, newSocialUser, outboxEvents, relate, type SocialUser } from './helpers.js';

describe('social posts: comments, likes, shares, drafts, tombstones', () => {
  let t: TestApp;
  let ann: SocialUser;
  let bob: SocialUser;
  beforeAll(async () => {
    t = await createTestApp();
    [ann, bob] = await Promise.all([newSocialUser(t), newSocialUser(t)]);
  });
  afterAll(() => t.close());

  const as = (u: SocialUser) => ({ token: u.accessToken });
  const put = (u: SocialUser, path: string) => t.request('PUT', path, undefined, as(u));
  const del = (u: SocialUser, path: string) => t.request('DELETE', path, undefined, as(u));
  const profileOf = async (u: SocialUser) =>
    (await t.get('/v1/social/profiles/me', as(u))).json() as { postsCount: number };

  it('creates a post, comments on it, and counts both', async () => {
    const before = (await profileOf(ann)).postsCount;
    const post = await newPost(t, ann, { text: `  hello @${bob.handle}  ` });
    expect(post).toMatchObject({
      text: `hello @${bob.handle}`,
      author: { userId: ann.id, handle: ann.handle },
      counts: { likes: 0, comments: 0, shares: 0 },
      draft: false,
      deleted: false,
      replyToId: null,
    });
    const comment = await newPost(t, bob, { text: 'nice', replyToId: post.id });
    expect(comment.replyToId).toBe(post.id);
    const got = (await t.get(`/v1/social/posts/${post.id}`, as(bob))).json();
    expect(got.counts.comments).toBe(1);
    expect((await profileOf(ann)).postsCount).toBe(before + 1);
    const comments = (await t.get(`/v1/social/posts/${post.id}/comments`, as(ann))).json();
    expect(comments.items.map((c: { id: string }) => c.id)).toEqual([comment.id]);
    await settled(t);
    expect(await outboxEvents(t, 'social.post-created', { postId: post.id })).toHaveLength(1);
    expect(await outboxEvents(t, 'social.user-mentioned', { postId: post.id })).toEqual([
      expect.objectContaining({ recipientId: bob.id, actorId: ann.id }),
    ]);
    expect(await outboxEvents(t, 'social.post-commented', { commentId: comment.id })).toEqual([
      expect.objectContaining({ recipientId: ann.id, actorId: bob.id, postId: post.id }),
    ]);
  });

  it('likes and shares once each, undoes both, and tells the author once', async () => {
    const post = await newPost(t, ann, { text: 'like me' });
    const path = `/v1/social/posts/${post.id}`;
    const liked = await put(bob, `${path}/like`);
    expect(liked.statusCode).toBe(200);
    expect(liked.json()).toMatchObject({ likedByMe: true, counts: { likes: 1 } });
    expect((await put(bob, `${path}/like`)).json()).toMatchObject({ counts: { likes: 1 } });
    const shared = await put(bob, `${path}/share`);
    expect(shared.json()).toMatchObject({ id: post.id, sharedByMe: true, counts: { shares: 1 } });
    expect((await put(bob, `${path}/share`)).json().counts.shares).toBe(1);
    const timeline = (await t.get(`/v1/social/profiles/${bob.handle}/posts`, as(ann))).json();
    expect(timeline.items[0]).toMatchObject({ text: '', sharedPost: { id: post.id } });
    // Sharing the share shares the original: still one.
    const again = await put(ann, `/v1/social/posts/${timeline.items[0].id}/share`);
    expect(again.json()).toMatchObject({ id: post.id, counts: { shares: 2 } });
    expect((await del(ann, `${path}/share`)).json().counts.shares).toBe(1);
    expect((await del(bob, `${path}/like`)).json()).toMatchObject({
      likedByMe: false,
      counts: { likes: 0 },
    });
    const unshared = (await del(bob, `${path}/share`)).json();
    expect(unshared).toMatchObject({ sharedByMe: false, counts: { shares: 0 } });
    await settled(t);
    expect(await outboxEvents(t, 'social.post-liked', { postId: post.id })).toHaveLength(1);
    // Ann's own share of her post tells nobody.
    expect(await outboxEvents(t, 'social.post-shared', { postId: post.id })).toEqual([
      expect.objectContaining({ recipientId: ann.id, actorId: bob.id }),
    ]);
    const after = (await t.get(`/v1/social/profiles/${bob.handle}/posts`, as(ann))).json();
    expect(after.items.map((p: { id: string }) => p.id)).not.toContain(timeline.items[0].id);
  });

  it('keeps drafts to their author until published', async () => {
    const draft = await newPost(t, ann, { text: `draft for @${bob.handle}`, draft: true });
    expect(draft.draft).toBe(true);
    const path = `/v1/social/posts/${draft.id}`;
    expect((await t.get(path, as(bob))).statusCode).toBe(404);
    expect((await t.post(`${path}/publish`, undefined, as(bob))).statusCode).toBe(404);
    expect((await del(bob, path)).statusCode).toBe(404);
    // Its author cannot like, share or comment on it yet: 409, not 404 (it is there for them).
    for (const what of ['like', 'share']) {
      const res = await put(ann, `${path}/${what}`);
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('social.post_is_draft');
    }
    const drafts = (await t.get('/v1/social/posts/drafts', as(ann))).json();
    expect(drafts.items.map((p: { id: string }) => p.id)).toContain(draft.id);
    expect((await t.get('/v1/social/posts/drafts', as(bob))).json().items).toEqual([]);
    const timeline = (await t.get(`/v1/social/profiles/${ann.handle}/posts`, as(ann))).json();
    expect(timeline.items.map((p: { id: string }) => p.id)).not.toContain(draft.id);
    await settled(t);
    expect(await outboxEvents(t, 'social.post-created', { postId: draft.id })).toEqual([]);
    expect(await outboxEvents(t, 'social.user-mentioned', { postId: draft.id })).toEqual([]);

    const published = await t.post(`${path}/publish`, undefined, as(ann));
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ id: draft.id, draft: false });
    const twice = await t.post(`${path}/publish`, undefined, as(ann));
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('social.not_a_draft');
    expect((await t.get(path, as(bob))).statusCode).toBe(200);
    await settled(t);
    expect(await outboxEvents(t, 'social.post-created', { postId: draft.id })).toHaveLength(1);
    expect(await outboxEvents(t, 'social.user-mentioned', { postId: draft.id })).toHaveLength(1);

    const dropped = await newPost(t, ann, { text: 'never mind', draft: true });
    expect((await del(ann, `/v1/social/posts/${dropped.id}`)).statusCode).toBe(204);
    const late = await t.post(`/v1/social/posts/${dropped.id}/publish`, undefined, as(ann));
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('social.post_deleted');
    expect((await t.get('/v1/social/posts/drafts', as(ann))).json().items).not.toContainEqual(
      expect.objectContaining({ id: dropped.id }),
    );
  });

  it('deletes as a tombstone: gone from timeline and counts, comments stay', async () => {
    const post = await newPost(t, ann, { text: 'short-lived' });
    const comment = await newPost(t, bob, { text: 'first!', replyToId: post.id });
    const before = (await profileOf(ann)).postsCount;
    const path = `/v1/social/posts/${post.id}`;
    const foreign = await del(bob, path);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('social.not_author');
    expect((await del(ann, path)).statusCode).toBe(204);
    expect((await del(ann, path)).statusCode).toBe(204);
    expect((await profileOf(ann)).postsCount).toBe(before - 1);
    expect((await t.get(path, as(ann))).statusCode).toBe(404);
    const timeline = (await t.get(`/v1/social/profiles/${ann.handle}/posts`, as(bob))).json();
    expect(timeline.items.map((p: { id: string }) => p.id)).not.toContain(post.id);
    const comments = (await t.get(`${path}/comments`, as(bob))).json();
    expect(comments.items.map((c: { id: string }) => c.id)).toEqual([comment.id]);
    expect(comments.parent).toMatchObject({ id: post.id, deleted: true, text: '' });
    const liked = await put(bob, `${path}/like`);
    expect(liked.statusCode).toBe(409);
    expect(liked.json().code).toBe('social.post_deleted');
    await settled(t);
    expect(await outboxEvents(t, 'social.post-deleted', { postId: post.id })).toHaveLength(1);
  });

  it('refuses every bad input with a 4xx problem naming the field, writing nothing', async () => {
    const cat = await newSocialUser(t);
    const [mine, theirs] = [crypto.randomUUID(), crypto.randomUUID()];
    for (const [id, owner] of [
      [mine, cat.id],
      [theirs, ann.id],
    ]) {
      await t.dataSource.query(
        `INSERT INTO social.media (id, owner_id, kind, content_type, size_bytes, storage_key)
         VALUES ($1, $2, 'image', 'image/png', 10, $3)`,
        [id, owner, `test/${id}`],
      );
    }
    const hidden = await newPost(t, ann, { text: 'secret', draft: true });
    const gone = await newPost(t, ann, { text: 'gone' });
    await del(ann, `/v1/social/posts/${gone.id}`);
    const family = '👨‍👩‍👧‍👦';
    const count = async () => {
      const [r] = await t.dataSource.query<{ posts: number; events: number }[]>(
        `SELECT (SELECT count(*)::int FROM social.posts WHERE author_id = $1) AS posts,
                (SELECT count(*)::int FROM platform.outbox) AS events`,
        [cat.id],
      );
      return r!;
    };
    await settled(t);
    const before = await count();
    const cases: [object, number, string, string][] = [
      [{ text: 'a'.repeat(501) }, 400, 'platform.validation_failed', 'text'],
      [{ text: family.repeat(501) }, 400, 'platform.validation_failed', 'text'],
      [{ text: '   ' }, 400, 'platform.validation_failed', 'text'],
      [{ text: '' }, 400, 'platform.validation_failed', 'text'],
      [
        { text: 'five', mediaIds: [1, 2, 3, 4, 5].map(() => crypto.randomUUID()) },
        400,
        'platform.validation_failed',
        'mediaIds',
      ],
      [{ text: 'x', mediaIds: [mine, mine] }, 400, 'platform.validation_failed', 'mediaIds'],
      [{ text: 'x', mediaIds: [mine, theirs] }, 404, 'social.media_not_found', 'mediaIds.1'],
      [{ text: 'x', replyToId: hidden.id }, 404, 'social.post_not_found', 'replyToId'],
      [{ text: 'x', replyToId: gone.id }, 409, 'social.post_deleted', 'replyToId'],
      [{ text: 'x', draft: 'yes' }, 400, 'platform.validation_failed', 'draft'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await t.post('/v1/social/posts', body, as(cat));
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().code).toBe(code);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await settled(t);
    expect(await count()).toEqual(before);

    // The limits themselves are accepted: 500 characters however many code units, media alone.
    expect((await newPost(t, cat, { text: family.repeat(500) })).text).toBe(family.repeat(500));
    const media = await newPost(t, cat, { text: '', mediaIds: [mine] });
    expect(media.media).toEqual([expect.objectContaining({ id: mine, kind: 'image' })]);
  });

  it('hides posts across a block: no comment, like or share on a post you cannot see', async () => {
    const [dan, eve] = await Promise.all([newSocialUser(t), newSocialUser(t)]);
    const post = await newPost(t, dan, { text: 'not for eve' });
    await relate(t, dan, 'PUT', eve.handle, 'block');
    const path = `/v1/social/posts/${post.id}`;
    expect((await t.get(path, as(eve))).statusCode).toBe(404);
    for (const what of ['like', 'share']) {
      const res = await put(eve, `${path}/${what}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('social.post_not_found');
    }
    const comment = await t.post('/v1/social/posts', { text: 'hi', replyToId: post.id }, as(eve));
    expect(comment.statusCode).toBe(404);
    expect((await t.get(`${path}/comments`, as(eve))).statusCode).toBe(404);
    expect((await t.get(path, as(dan))).json().counts).toEqual({
      likes: 0,
      comments: 0,
      shares: 0,
    });
  });

  it('mentions: the first 10 distinct handles, never yourself nor across a block', async () => {
    const handles = Array.from({ length: 12 }, (_, i) => `h${i}`);
    expect(mentionedHandles(`${handles.map((h) => `@${h}`).join(' ')} @H0 mail@x.org`)).toEqual(
      handles.slice(0, 10),
    );
    const [gil, hal] = await Promise.all([newSocialUser(t), newSocialUser(t)]);
    await relate(t, hal, 'PUT', gil.handle, 'block');
    const post = await newPost(t, gil, {
      text: `@${ann.handle} @${hal.handle} @${gil.handle} @${ann.handle.toUpperCase()} @nobody_404`,
    });
    await settled(t);
    expect(
      (await outboxEvents(t, 'social.user-mentioned', { postId: post.id })).map(
        (e) => e.recipientId,
      ),
    ).toEqual([ann.id]);
  });
});
