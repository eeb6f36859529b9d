import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt } from './harness.js';

/**
 * Scale series (`npm run bench -- --scale`): how a flow's cost grows with the data behind it.
 * Each series grows its data through a list of sizes and measures the same figures at every
 * size, with the serving process's peak RSS while it measures. The growth exponent k of a
 * figure (f ∝ nᵏ between the smallest and the largest size) is compared with what the design
 * promises: `flat` (k ≈ 0: an index lookup, a bounded read) or `linear` (k ≈ 1: work per
 * follower). Absolute figures, no anchor: the point is the shape, on one machine in one run.
 */
export interface ScaleFigure {
  name: string;
  unit: string;
  /** What the design promises as the data grows. */
  expect: 'flat' | 'linear';
  /** `higher` for throughput: flat then means it does not fall; costs must not rise. */
  better?: 'lower' | 'higher';
}

export interface ScaleSeries {
  id: string;
  title: string;
  /** What a size counts: "products", "accounts". */
  sizeLabel: string;
  sizes: number[];
  figures: ScaleFigure[];
  /** The process whose memory is sampled while measuring (the app's, or this one's). */
  pid: () => number;
  /** Brings the data to `size` (untimed). */
  grow: (size: number) => Promise<void>;
  /** Starts the serving process afresh after growing, so its peak RSS is this size's alone. */
  restart?: () => Promise<void>;
  /** The figures at the current size, by name. */
  measure: (size: number) => Promise<Record<string, number>>;
  invariants?: () => Promise<string[]>;
  teardown?: () => Promise<void>;
}

export interface ScalePoint {
  size: number;
  figures: Record<string, number>;
  rssMb: number;
}

export interface ScaleResult {
  id: string;
  title: string;
  sizeLabel: string;
  figures: (ScaleFigure & { growth: number; exponent: number; held: boolean })[];
  points: ScalePoint[];
  /** Peak RSS at the largest size ÷ at the smallest. */
  rssGrowth: number;
  invariants: string[];
}

/**
 * What a figure must hold to between the smallest and the largest size: flat is a cost at most
 * 1.5× higher, or a throughput at most 1.5× lower (the data grows 100–1,000×; p99s on a shared
 * 2-core machine wander); linear is an exponent k of 0.8–1.2. RSS may grow by at most a quarter
 * across the whole series.
 */
export const HELD = {
  flat: (growth: number, _k: number, better: 'lower' | 'higher' = 'lower') =>
    better === 'lower' ? growth <= 1.5 : growth >= 1 / 1.5,
  linear: (_growth: number, k: number) => k >= 0.8 && k <= 1.2,
  rss: (growth: number) => growth <= 1.25,
};

/** Ranges [a, b] of at most `step` covering from…to: a bulk load in statements of bounded size. */
export function* ranges(from: number, to: number, step: number): Generator<[number, number]> {
  for (let a = from; a <= to; a += step) yield [a, Math.min(to, a + step - 1)];
}

/**
 * k in f ∝ nᵏ between the two largest sizes: the asymptotic growth, past the fixed cost per
 * request that dominates the smallest size (a 10k-product search is mostly HTTP and planning).
 */
export function exponent(points: { size: number; value: number }[]): number {
  const [a, b] = points.slice(-2) as [
    { size: number; value: number },
    { size: number; value: number },
  ];
  if (a.value <= 0 || b.value <= 0 || a.size === b.size) return NaN;
  return Math.log(b.value / a.value) / Math.log(b.size / a.size);
}

/** Peak VmRSS of `pid` in MiB, sampled every 50 ms until the returned function is called. */
export function sampleRss(pid: number): () => number {
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  let peak = read();
  const timer = setInterval(() => (peak = Math.max(peak, read())), 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, read());
  };
}

export async function runSeries(s: ScaleSeries, log: (m: string) => void): Promise<ScaleResult> {
  const points: ScalePoint[] = [];
  try {
    for (const size of s.sizes) {
      const t0 = Date.now();
      await s.grow(size);
      await s.restart?.();
      log(
        `${s.id} ${compact(size)} ${s.sizeLabel}: grown in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
      const stop = sampleRss(s.pid());
      const figures = await s.measure(size);
      const rssMb = stop();
      points.push({ size, figures, rssMb });
      log(
        `${s.id} ${compact(size)}: ${Object.entries(figures)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ')}, peak RSS ${rssMb.toFixed(0)} MiB`,
      );
    }
    const invariants = (await s.invariants?.()) ?? [];
    if (invariants.length) throw new Error(`${s.id}: invariant broken: ${invariants.join('; ')}`);
    return {
      id: s.id,
      title: s.title,
      sizeLabel: s.sizeLabel,
      figures: s.figures.map((f) => {
        const values = points.map((p) => ({ size: p.size, value: p.figures[f.name]! }));
        const growth = values.at(-1)!.value / values[0]!.value;
        const k = exponent(values);
        return { ...f, growth, exponent: k, held: HELD[f.expect](growth, k, f.better) };
      }),
      points,
      rssGrowth: points.at(-1)!.rssMb / points[0]!.rssMb,
      invariants,
    };
  } finally {
    await s.teardown?.();
  }
}

/** 1k, 100k, 1M: a chart's axis labels. */
export function compact(n: number): string {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return String(n);
}

/** Two decimals; '—' for what has none (a growth from 0, which JSON keeps as null). */
const two = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(2) : '—');

const verdict = (f: ScaleResult['figures'][number]) =>
  `${f.expect === 'flat' ? 'flat' : 'linear'} expected; ×${two(f.growth)} from the smallest to the largest size, ∝ n^${two(f.exponent)} between the two largest: ${f.held ? 'held' : 'NOT held'}`;

/** The report's section: a table per series (one row per size) and what each figure held to. */
export function scaleMarkdown(results: ScaleResult[], ranAt: string): string {
  const lines = [
    '## Scale series',
    '',
    `Run ${ranAt} (\`npm run bench -- --scale\`). Absolute figures, each series on one app as its data grows. Flat: the largest size's cost at most 1.5× the smallest's (a throughput at most 1.5× lower); linear: f ∝ nᵏ with 0.8 ≤ k ≤ 1.2 (k between the two largest sizes, past the fixed cost that dominates the smallest); the app is restarted after each size's data is in, so its peak RSS while measuring is that size's alone, and it may grow ≤ 1.25× across a series.`,
    '',
    '![scale series](scale.svg)',
    '',
  ];
  for (const r of results) {
    lines.push(`### ${r.id} ${r.title}`, '');
    lines.push(
      `| ${r.sizeLabel} | ${r.figures.map((f) => `${f.name} (${f.unit})`).join(' | ')} | peak RSS (MiB) |`,
      `|---|${r.figures.map(() => '---|').join('')}---|`,
      ...r.points.map(
        (p) =>
          `| ${p.size.toLocaleString('en-US')} | ${r.figures.map((f) => fmt(p.figures[f.name]!)).join(' | ')} | ${p.rssMb.toFixed(0)} |`,
      ),
      '',
      ...r.figures.map((f) => `- ${f.name}: ${verdict(f)}`),
      `- peak RSS: ×${r.rssGrowth.toFixed(2)} from ${compact(r.points[0]!.size)} to ${compact(r.points.at(-1)!.size)} ${r.sizeLabel}: ${HELD.rss(r.rssGrowth) ? 'held' : 'NOT held'}`,
      '',
    );
  }
  return lines.join('\n');
}

/** A line chart per figure (x: size, log scale; y: the figure from 0), three to a row. */
export function scaleChart(results: ScaleResult[]): string {
  const panels = results.flatMap((r) => [
    ...r.figures.map((f) => ({
      title: `${r.id} ${f.name} (${f.unit})`,
      ok: f.held,
      xs: r.points.map((p) => p.size),
      ys: r.points.map((p) => p.figures[f.name]!),
    })),
    {
      title: `${r.id} peak RSS (MiB)`,
      ok: HELD.rss(r.rssGrowth),
      xs: r.points.map((p) => p.size),
      ys: r.points.map((p) => p.rssMb),
    },
  ]);
  const W = 250;
  const H = 170;
  const cols = 3;
  const body = panels.map((p, i) => {
    const ox = (i % cols) * W;
    const oy = 10 + Math.floor(i / cols) * H;
    // A size of 0 sits one decade left of the smallest positive one.
    const positive = p.xs.filter((v) => v > 0);
    const lo = Math.log10(Math.min(...positive)) - (positive.length < p.xs.length ? 1 : 0);
    const hi = Math.log10(Math.max(...positive));
    const log = (v: number) => (v > 0 ? Math.log10(v) : lo);
    const top = Math.max(...p.ys) * 1.1 || 1;
    const x = (v: number) => ox + 40 + ((log(v) - lo) / (hi - lo || 1)) * (W - 60);
    const y = (v: number) => oy + 130 - (v / top) * 100;
    const pts = p.xs.map((v, k) => `${x(v).toFixed(1)},${y(p.ys[k]!).toFixed(1)}`);
    return [
      `<text x="${ox + 10}" y="${oy + 14}" font-size="11">${p.title}</text>`,
      `<line x1="${ox + 40}" x2="${ox + W - 20}" y1="${oy + 130}" y2="${oy + 130}" stroke="#999"/>`,
      `<line x1="${ox + 40}" x2="${ox + 40}" y1="${oy + 25}" y2="${oy + 130}" stroke="#999"/>`,
      `<text x="${ox + 4}" y="${oy + 34}" font-size="9">${fmt(top / 1.1)}</text>`,
      `<polyline fill="none" stroke="${p.ok ? '#4caf50' : '#e57373'}" stroke-width="2" points="${pts.join(' ')}"/>`,
      ...p.xs.map(
        (v, k) =>
          `<circle cx="${x(v).toFixed(1)}" cy="${y(p.ys[k]!).toFixed(1)}" r="3" fill="#333"/><text x="${(x(v) - 12).toFixed(1)}" y="${oy + 144}" font-size="9">${compact(v)}</text>`,
      ),
    ].join('');
  });
  const h = 20 + Math.ceil(panels.length / cols) * H;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * W}" height="${h}" font-family="sans-serif">
${body.join('\n')}
</svg>
`;
}

/**
 * Writes `scale.json` and `scale.svg`, and puts the section into `latest.md` in place of the
 * previous one (a full run's report keeps the last scale run's section: `scaleSection`). With
 * `merge` (an `--only` run) the series measured replace theirs in the last run's, the rest stay.
 */
export function writeScaleReports(dir: string, measured: ScaleResult[], merge = false): void {
  const ranAt = new Date().toISOString();
  const file = join(dir, 'scale.json');
  let results = measured;
  if (merge && existsSync(file)) {
    const last = (JSON.parse(readFileSync(file, 'utf8')) as { results: ScaleResult[] }).results;
    const fresh = new Map(measured.map((r) => [r.id, r]));
    results = [
      ...last.map((r) => fresh.get(r.id) ?? r),
      ...measured.filter((r) => !last.some((l) => l.id === r.id)),
    ];
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify({ ranAt, results }, null, 2));
  writeFileSync(join(dir, 'scale.svg'), scaleChart(results));
  const latest = join(dir, 'latest.md');
  const report = existsSync(latest) ? readFileSync(latest, 'utf8') : '# Benchmarks\n\n';
  const head = report.split(SECTION)[0]!.trimEnd();
  writeFileSync(latest, `${head}\n\n${scaleMarkdown(results, ranAt)}`);
}

const SECTION = '## Scale series';

/** The last scale run's section, for a full run's `latest.md` ('' before any). */
export function scaleSection(dir: string): string {
  const file = join(dir, 'scale.json');
  if (!existsSync(file)) return '';
  const { ranAt, results } = JSON.parse(readFileSync(file, 'utf8'));
  return scaleMarkdown(results, ranAt);
}
