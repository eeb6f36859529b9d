import { decodeCursor, encodeCursor, toPage } from './pagination.js';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    const id = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69';
    const c = encodeCursor({ at: '2026-01-01T00:00:00Z', id });
    expect(decodeCursor(c, { at: 'timestamp', id: 'uuid' })).toEqual({
      at: '2026-01-01T00:00:00Z',
      id,
    });
  });

  it('rejects a foreign cursor with a field error', () => {
    expect(() => decodeCursor('not-json', { id: 'uuid' })).toThrow(/cursor/);
    expect(() => decodeCursor(encodeCursor({ other: 1 }), { id: 'uuid' })).toThrow(/cursor/);
  });

  it('rejects a tampered cursor whose fields are of the wrong kind (never reaching SQL)', () => {
    for (const tampered of [{ id: 'x' }, { id: 1 }, { id: null }, { id: ['a'] }]) {
      expect(() => decodeCursor(encodeCursor(tampered), { id: 'uuid' })).toThrow(/cursor/);
    }
    expect(() => decodeCursor(encodeCursor({ v: '1e400' }), { v: 'integer' })).toThrow(/cursor/);
    expect(() => decodeCursor(encodeCursor({ r: 'NaN' }), { r: 'real' })).toThrow(/cursor/);
    expect(() => decodeCursor(encodeCursor({ at: 'soon' }), { at: 'timestamp' })).toThrow(/cursor/);
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
