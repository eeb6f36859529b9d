import { decodeCursor, encodeCursor, toPage } from './pagination.js';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    const c = encodeCursor({ at: '2026-01-01T00:00:00Z', id: 'x' });
    expect(decodeCursor(c, ['at', 'id'])).toEqual({ at: '2026-01-01T00:00:00Z', id: 'x' });
  });

  it('rejects a foreign cursor with a field error', () => {
    expect(() => decodeCursor('not-json', ['id'])).toThrow(/cursor/);
    expect(() => decodeCursor(encodeCursor({ other: 1 }), ['id'])).toThrow(/cursor/);
  });

  it('sets nextCursor only when there is another row', () => {
    const rows = [1, 2, 3].map((id) => ({ id }));
    expect(
      toPage(
        rows,
        2,
        (r) => r.id,
        (r) => ({ id: r.id }),
      ),
    ).toEqual({ items: [1, 2], nextCursor: encodeCursor({ id: 2 }) });
    expect(
      toPage(
        rows,
        3,
        (r) => r.id,
        (r) => ({ id: r.id }),
      ).nextCursor,
    ).toBeNull();
  });
});
