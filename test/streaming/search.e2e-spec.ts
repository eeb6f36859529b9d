import { createTestApp, type TestApp } from '@app/testing';
import { insertVideo } from './video-rows.js';

interface Hit {
  id: string;
  title: string;
  match: string;
  rank: number;
}
interface Page {
  items: Hit[];
  nextCursor: string | null;
}

describe('streaming search: full text, typo tolerance, filters, cursor pages', () => {
  let t: TestApp;
  let channel: string;
  let other: string;
  beforeAll(async () => {
    t = await createTestApp();
    channel = (await t.newUser()).id;
    other = (await t.newUser()).id;
  });
  afterAll(() => t.close());

  const search = async (qs: string): Promise<Page> => {
    const res = await t.get(`/v1/streaming/search?${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Page;
  };
  const ids = (p: Page) => p.items.map((h) => h.id);

  it('ranks a title match above a tag match above a description match', async () => {
    const desc = await insertVideo(t, {
      channelId: channel,
      title: 'Evening walk',
      description: 'a glacier far away',
    });
    const title = await insertVideo(t, { channelId: channel, title: 'Glacier flight' });
    const tag = await insertVideo(t, { channelId: channel, title: 'Ice', tags: ['glacier'] });
    const page = await search('q=glacier');
    expect(ids(page)).toEqual([title, tag, desc]);
    expect(page.items.every((h) => h.match === 'text')).toBe(true);
    // Prefix terms.
    expect(ids(await search('q=glac'))).toEqual([title, tag, desc]);
  });

  it('finds a typo through the title trigrams, below the full-text matches', async () => {
    const mountain = await insertVideo(t, { channelId: channel, title: 'Mountain sunrise' });
    await insertVideo(t, { channelId: channel, title: 'Cooking pasta at home' });
    const page = await search('q=mountian');
    expect(ids(page)).toEqual([mountain]);
    expect(page.items[0]!.match).toBe('fuzzy');
    const exact = await search('q=mountain');
    expect(ids(exact)[0]).toBe(mountain);
    expect(exact.items[0]!.match).toBe('text');
  });

  it('leaves out unlisted, private and unfinished videos; lists subscriber ones', async () => {
    const pub = await insertVideo(t, { channelId: channel, title: 'Zebra public' });
    const subs = await insertVideo(t, {
      channelId: channel,
      title: 'Zebra subscribers',
      visibility: 'subscribers',
    });
    await insertVideo(t, { channelId: channel, title: 'Zebra unlisted', visibility: 'unlisted' });
    await insertVideo(t, { channelId: channel, title: 'Zebra private', visibility: 'private' });
    await insertVideo(t, { channelId: channel, title: 'Zebra encoding', state: 'PROCESSING' });
    expect(ids(await search('q=zebra')).sort()).toEqual([pub, subs].sort());
    // Not even as typo matches.
    expect(ids(await search('q=zebar')).sort()).toEqual([pub, subs].sort());
  });

  it('combines the tag, channel and duration filters', async () => {
    const a = await insertVideo(t, {
      channelId: other,
      title: 'Kayak river',
      tags: ['Sport'],
      durationMs: 30_000,
    });
    const b = await insertVideo(t, {
      channelId: other,
      title: 'Kayak sea',
      tags: ['sport'],
      durationMs: 90_000,
    });
    const c = await insertVideo(t, { channelId: other, title: 'Kayak lake', durationMs: 30_000 });
    const d = await insertVideo(t, {
      channelId: channel,
      title: 'Kayak rapids',
      tags: ['sport'],
      durationMs: 30_000,
    });
    expect(ids(await search(`q=kayak&tag=SPORT`)).sort()).toEqual([a, b, d].sort());
    expect(ids(await search(`q=kayak&channelId=${other}`)).sort()).toEqual([a, b, c].sort());
    expect(ids(await search(`tag=sport&channelId=${other}&maxDurationMs=60000`))).toEqual([a]);
    expect(ids(await search(`q=kayak&minDurationMs=60000`))).toEqual([b]);
    expect(ids(await search(`channelId=${other}&minDurationMs=30000&maxDurationMs=30000`))).toEqual(
      [c, a],
    );
  });

  it('walks every match in pages that never overlap (text, fuzzy and browse)', async () => {
    const made: string[] = [];
    for (let i = 0; i < 13; i++) {
      made.push(
        await insertVideo(t, {
          channelId: other,
          title: i % 2 ? `Paging walrus ${i}` : `Walrus paging ${i} walrus`,
          tags: ['pagetest'],
          description: i % 3 ? 'walrus' : '',
        }),
      );
    }
    for (const qs of ['q=walrus&tag=pagetest', 'q=walrsu&tag=pagetest', 'tag=pagetest']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await search(
          `${qs}&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        seen.push(...ids(page));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(new Set(seen).size, qs).toBe(seen.length);
      expect(seen.sort(), qs).toEqual([...made].sort());
      expect(pages, qs).toBe(4);
    }
  });

  it('answers 400 naming the field for a bad cursor, a long q or inverted durations', async () => {
    const field = async (qs: string) => {
      const res = await t.get(`/v1/streaming/search?${qs}`);
      expect(res.statusCode, res.body).toBe(400);
      return (res.json() as { errors: { field: string }[] }).errors[0]!.field;
    };
    expect(await field('cursor=nonsense')).toBe('cursor');
    const forged = Buffer.from(JSON.stringify({ r: '1', id: 'x', m: 'text' })).toString(
      'base64url',
    );
    expect(await field(`cursor=${forged}`)).toBe('cursor');
    const badMode = Buffer.from(
      JSON.stringify({ r: '1', id: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69', m: 'drop' }),
    ).toString('base64url');
    expect(await field(`q=x&cursor=${badMode}`)).toBe('cursor');
    expect(await field(`q=${'a'.repeat(201)}`)).toBe('q');
    expect(await field('minDurationMs=10&maxDurationMs=5')).toBe('maxDurationMs');
    expect(await field('channelId=nope')).toBe('channelId');
  });
});
