import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ranges,
  exponent,
  runSeries,
  sampleRss,
  scaleChart,
  scaleSection,
  writeScaleReports,
  type ScaleSeries,
} from '../../bench/scale.js';

/** A series whose figures are functions of the size: flat, linear, and one that is neither. */
function series(cost: Record<string, (n: number) => number>, sizes = [1_000, 10_000, 100_000]) {
  const grown: number[] = [];
  const s: ScaleSeries = {
    id: 'S9',
    title: 'synthetic',
    sizeLabel: 'rows',
    sizes,
    figures: [
      { name: 'lookup', unit: 'ms', expect: 'flat' },
      { name: 'scan', unit: 'ms', expect: 'linear' },
      { name: 'sort', unit: 'ms', expect: 'flat' },
      { name: 'rate', unit: 'req/s', expect: 'flat', better: 'higher' },
    ],
    pid: () => process.pid,
    grow: async (n) => void grown.push(n),
    restart: async () => void grown.push(-1),
    measure: async (n) => Object.fromEntries(Object.entries(cost).map(([name, f]) => [name, f(n)])),
  };
  return { s, grown };
}

describe('scale series', () => {
  it('takes the growth exponent between the two largest sizes', () => {
    expect(
      exponent([
        { size: 1_000, value: 2 },
        { size: 1_000_000, value: 2_000 },
      ]),
    ).toBeCloseTo(1);
    expect(
      exponent([
        { size: 10, value: 5 },
        { size: 1_000, value: 5 },
      ]),
    ).toBeCloseTo(0);
    // A fixed cost of 100 dominates the smallest size; the work beyond it is linear.
    expect(
      exponent([
        { size: 1_000, value: 100 + 1 },
        { size: 100_000, value: 100 + 100 },
        { size: 10_000_000, value: 100 + 10_000 },
      ]),
    ).toBeGreaterThan(0.8);
  });

  it('splits a bulk load into bounded ranges that cover it exactly once', () => {
    expect([...ranges(1, 250_000, 100_000)]).toEqual([
      [1, 100_000],
      [100_001, 200_000],
      [200_001, 250_000],
    ]);
    expect([...ranges(100_001, 100_000, 50_000)]).toEqual([]);
    expect([...ranges(5, 5, 50_000)]).toEqual([[5, 5]]);
  });

  it('grows the data to each size in order and judges every figure by what it promises', async () => {
    const { s, grown } = series({
      lookup: () => 3,
      scan: (n) => n / 100,
      sort: (n) => (n * Math.log2(n)) / 1000,
      rate: (n) => 1e6 / n,
    });
    const r = await runSeries(s, () => {});
    // Each size grown, then the server restarted before it is measured.
    expect(grown).toEqual([1_000, -1, 10_000, -1, 100_000, -1]);
    expect(r.points.map((p) => p.figures.scan)).toEqual([10, 100, 1000]);
    const held = Object.fromEntries(r.figures.map((f) => [f.name, f.held]));
    // n log n is not flat; n is linear; a constant is flat; a throughput falling with n is not.
    expect(held).toEqual({ lookup: true, scan: true, sort: false, rate: false });
    expect(r.figures.find((f) => f.name === 'sort')!.growth).toBeGreaterThan(100);
    for (const p of r.points) expect(p.rssMb).toBeGreaterThan(10);
  });

  it('fails the series when an invariant breaks, after tearing down', async () => {
    const { s } = series({ lookup: () => 1, scan: (n) => n, sort: () => 1, rate: () => 1 });
    let tornDown = false;
    s.invariants = async () => ['rows lost'];
    s.teardown = async () => void (tornDown = true);
    await expect(runSeries(s, () => {})).rejects.toThrow('S9: invariant broken: rows lost');
    expect(tornDown).toBe(true);
  });

  it('samples the peak RSS of a process while it runs', async () => {
    const stop = sampleRss(process.pid);
    const ballast = Buffer.alloc(64 * 1024 * 1024, 1);
    await new Promise((r) => setTimeout(r, 120));
    const peak = stop();
    expect(ballast[0]).toBe(1);
    expect(peak).toBeGreaterThan(64);
  });

  it('writes the table, a line per figure, and keeps the section across full runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scale-'));
    writeFileSync(join(dir, 'latest.md'), '# Benchmarks\n\n| P1a | … |\n');
    const { s } = series(
      // A cost that falls and a throughput that rises with the data are flat too.
      { lookup: (n) => 3 / (1 + n), scan: (n) => n / 100, sort: () => 1, rate: (n) => 1 + n },
      [0, 10, 1000],
    );
    const r = await runSeries(s, () => {});
    writeScaleReports(dir, [r]);
    const md = readFileSync(join(dir, 'latest.md'), 'utf8');
    expect(md).toContain('| P1a | … |');
    expect(md).toContain('### S9 synthetic');
    expect(md).toMatch(/\| 1,000 \| 0\.00300 \| 10\.0 \| 1\.00 \| 1,001 \| \d+ \|/);
    expect(md).toContain('- scan: linear expected');
    expect(md).toMatch(/- lookup: flat expected; .*: held/);
    expect(md).toMatch(/- rate: flat expected; .*: held/);
    // A second scale run replaces the section rather than appending another.
    writeScaleReports(dir, [r]);
    expect(readFileSync(join(dir, 'latest.md'), 'utf8').split('## Scale series')).toHaveLength(2);
    expect(scaleSection(dir)).toContain('### S9 synthetic');
    // An --only run of another series keeps S9 and adds itself after it.
    writeScaleReports(dir, [{ ...r, id: 'S8', title: 'another' }], true);
    const merged = readFileSync(join(dir, 'latest.md'), 'utf8');
    expect(merged.indexOf('### S9 synthetic')).toBeLessThan(merged.indexOf('### S8 another'));
    const svg = scaleChart([r]);
    // Four figures and the RSS: five panels, each a line through its three sizes.
    expect(svg.match(/<polyline/g)).toHaveLength(5);
    expect(svg).toContain('>1k</text>');
    expect(svg).not.toContain('NaN');
  });
});
