import { Histogram, Registry } from 'prom-client';
import { GroupCommit } from './group-commit.js';

const sizes = () =>
  new Histogram({
    name: 'batch_size',
    help: 'test',
    labelNames: ['batch'] as const,
    buckets: [1, 2, 4, 8],
    registers: [new Registry()],
  });

describe('GroupCommit', () => {
  it('writes a lone item at once, and the items that arrive meanwhile together in the next batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const group = new GroupCommit<number, number>(
      'test',
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items.map((i) => i * 10);
      },
      sizes(),
    );
    const first = group.submit(1);
    const rest = [2, 3, 4].map((i) => group.submit(i));
    expect(batches).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('keeps batches to their maximum size', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(
      'test',
      async (items) => {
        batches.push(items);
        await new Promise((r) => setTimeout(r, 5));
        return items;
      },
      sizes(),
      2,
    );
    await Promise.all([1, 2, 3, 4, 5].map((i) => group.submit(i)));
    expect(batches.map((b) => b.length)).toEqual([1, 2, 2]);
  });

  it('a batch that throws is written again one item at a time: only the bad item fails', async () => {
    const calls: number[][] = [];
    let hold!: () => void;
    const gate = new Promise<void>((r) => (hold = r));
    const group = new GroupCommit<number, string>(
      'test',
      async (items) => {
        calls.push(items);
        if (calls.length === 1) await gate;
        if (items.includes(3)) throw new Error('bad item 3');
        return items.map(String);
      },
      sizes(),
    );
    const first = group.submit(0);
    const results = [2, 3, 4].map((i) =>
      group.submit(i).then(
        (v) => ({ ok: v }),
        (e: Error) => ({ err: e.message }),
      ),
    );
    hold();
    await first;
    expect(await Promise.all(results)).toEqual([{ ok: '2' }, { err: 'bad item 3' }, { ok: '4' }]);
    expect(calls).toEqual([[0], [2, 3, 4], [2], [3], [4]]);
  });

  it('answers every item even when the writer miscounts its outcomes', async () => {
    const group = new GroupCommit<number, number>('test', async () => [], sizes());
    await expect(group.submit(1)).rejects.toThrow(/0 outcomes for 1/);
  });
});
