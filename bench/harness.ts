import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scaleSection } from './scale.js';

/**
 * The benchmark harness. Machines here are shared and noisy, so every figure is a ratio of the
 * app to an anchor measured on the same machine in the same run, interleaved (anchor, app,
 * anchor, app, … after a warm-up), reported as median with min/max.
 */
export interface Measurement {
  /** The figure (e.g. req/s, ns/event). */
  value: number;
  /** Extra facts for the report (p99, counts). */
  notes?: Record<string, number | string>;
}

export interface Scenario {
  id: string;
  title: string;
  unit: string;
  /** `higher` for throughput (ratio = app / anchor), `lower` for costs (ratio = anchor / app). */
  better: 'higher' | 'lower';
  anchor: { label: string; run: (quick: boolean) => Promise<Measurement> };
  app: { label: string; run: (quick: boolean) => Promise<Measurement> };
  /** Goal for the median ratio (reported, never a CI gate). */
  target: number;
  /** Optional absolute goal on the app figure, e.g. P9's ≤ 2 µs/event. */
  absoluteTarget?: { op: '<=' | '>='; value: number };
  /** Optional second figure measured after the rounds (e.g. P2's latency at 50% load). */
  secondary?: (
    appMedian: number,
    quick: boolean,
  ) => Promise<{ name: string; value: number; op: '<=' | '>='; target: number }>;
  model: 'closed' | 'open' | 'micro';
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
  /** Throws if an invariant broke (checked after the scenario). */
  invariants?: () => Promise<string[]>;
}

export interface Result {
  id: string;
  title: string;
  unit: string;
  model: string;
  anchorLabel: string;
  appLabel: string;
  anchor: number[];
  app: number[];
  ratios: number[];
  median: number;
  min: number;
  max: number;
  target: number;
  met: boolean;
  absolute?: { op: string; value: number; met: boolean; name?: string; measured?: number };
  notes: Record<string, number | string>;
  invariants: string[];
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function runScenario(
  s: Scenario,
  rounds: number,
  quick: boolean,
  log: (m: string) => void,
): Promise<Result> {
  await s.setup?.();
  try {
    // --quick checks structure and invariants, never timings: no warm-up round.
    if (!quick) {
      log(`${s.id} warm-up`);
      await s.anchor.run(true);
      await s.app.run(true);
    }
    const anchor: number[] = [];
    const app: number[] = [];
    const notes: Record<string, number | string> = {};
    for (let r = 0; r < rounds; r++) {
      const a = await s.anchor.run(quick);
      const b = await s.app.run(quick);
      anchor.push(a.value);
      app.push(b.value);
      for (const [k, v] of Object.entries({ ...a.notes, ...b.notes })) notes[k] = v;
      log(
        `${s.id} round ${r + 1}: anchor ${fmt(a.value)} ${s.unit}, app ${fmt(b.value)} ${s.unit}`,
      );
    }
    const ratios = anchor.map((a, i) => (s.better === 'higher' ? app[i]! / a : a / app[i]!));
    const med = median(ratios);
    const appMedian = median(app);
    let absolute: Result['absolute'];
    if (s.absoluteTarget) {
      const { op, value } = s.absoluteTarget;
      absolute = {
        op,
        value,
        measured: appMedian,
        met: op === '<=' ? appMedian <= value : appMedian >= value,
      };
    }
    if (s.secondary) {
      const sec = await s.secondary(appMedian, quick);
      absolute = {
        op: sec.op,
        value: sec.target,
        name: sec.name,
        measured: sec.value,
        met: sec.op === '<=' ? sec.value <= sec.target : sec.value >= sec.target,
      };
      notes[sec.name] = sec.value;
    }
    const invariants = (await s.invariants?.()) ?? [];
    if (invariants.length) throw new Error(`${s.id}: invariant broken: ${invariants.join('; ')}`);
    return {
      id: s.id,
      title: s.title,
      unit: s.unit,
      model: s.model,
      anchorLabel: s.anchor.label,
      appLabel: s.app.label,
      anchor,
      app,
      ratios,
      median: med,
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      target: s.target,
      met: med >= s.target,
      ...(absolute ? { absolute } : {}),
      notes,
      invariants,
    };
  } finally {
    await s.teardown?.();
  }
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

export function table(results: Result[]): string {
  const rows = [
    ['scenario', 'app', 'anchor', 'ratio median [min–max]', 'target', 'met?'],
    ...results.map((r) => [
      `${r.id} ${r.title}`,
      `${fmt(median(r.app))} ${r.unit}`,
      `${fmt(median(r.anchor))} ${r.unit}`,
      `${r.median.toFixed(2)} [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`,
      `≥ ${r.target}${r.absolute ? `; ${r.absolute.name ?? r.unit} ${r.absolute.op} ${r.absolute.value} (${fmt(r.absolute.measured ?? NaN)})` : ''}`,
      r.met && (r.absolute?.met ?? true) ? 'yes' : 'no',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}

/** A bar per scenario: the median ratio, with its min–max whisker and the target marked. */
export function chart(results: Result[]): string {
  const w = 720;
  const rowH = 36;
  const h = 40 + rowH * results.length;
  const maxX = Math.max(2, ...results.map((r) => Math.max(r.max, r.target)));
  const x = (v: number) => 180 + (v / maxX) * (w - 220);
  const bars = results
    .map((r, i) => {
      const y = 30 + i * rowH;
      const ok = r.met && (r.absolute?.met ?? true);
      return [
        `<text x="10" y="${y + 16}" font-size="13">${r.id}</text>`,
        `<rect x="180" y="${y + 4}" width="${x(r.median) - 180}" height="18" fill="${ok ? '#4caf50' : '#e57373'}"/>`,
        `<line x1="${x(r.min)}" x2="${x(r.max)}" y1="${y + 13}" y2="${y + 13}" stroke="#333"/>`,
        `<line x1="${x(r.target)}" x2="${x(r.target)}" y1="${y}" y2="${y + 26}" stroke="#1e88e5" stroke-width="2"/>`,
        `<text x="${x(r.median) + 6}" y="${y + 17}" font-size="11">${r.median.toFixed(2)}</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">
<text x="10" y="18" font-size="14">app ÷ anchor (median, min–max); blue = target</text>
${bars}
</svg>
`;
}

export function markdown(
  results: Result[],
  machine: Record<string, string>,
  quick: boolean,
): string {
  const lines = [
    `# Benchmarks${quick ? ' (quick run: structure only, numbers are not meaningful)' : ''}`,
    '',
    `Run ${new Date().toISOString()}. Every figure is the app divided by an anchor measured on the same machine in the same run, interleaved.`,
    '',
    '| machine | |',
    '|---|---|',
    ...Object.entries(machine).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '| scenario | model | app | anchor | ratio median [min–max] | target | met? |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.id} ${r.title} | ${r.model} | ${r.appLabel}: ${fmt(median(r.app))} ${r.unit} | ${r.anchorLabel}: ${fmt(median(r.anchor))} ${r.unit} | ${r.median.toFixed(2)} [${r.min.toFixed(2)}–${r.max.toFixed(2)}] | ≥ ${r.target}${r.absolute ? `; ${r.absolute.name ?? r.unit} ${r.absolute.op} ${r.absolute.value} (measured ${fmt(r.absolute.measured ?? NaN)})` : ''} | ${r.met && (r.absolute?.met ?? true) ? 'yes' : 'no'} |`,
    ),
    '',
    '![ratios](latest.svg)',
    '',
    ...results
      .filter((r) => Object.keys(r.notes).length)
      .map(
        (r) =>
          `- ${r.id}: ${Object.entries(r.notes)
            .map(([k, v]) => `${k} = ${typeof v === 'number' ? fmt(v) : v}`)
            .join(', ')}`,
      ),
    '',
  ];
  return lines.join('\n');
}

export function writeReports(
  dir: string,
  results: Result[],
  machine: Record<string, string>,
  quick: boolean,
  partial = false,
): void {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify({ quick, machine, results }, null, 2));
  // Only a full run of every scenario becomes `latest` (the committed report).
  const name = quick ? 'quick' : partial ? 'partial' : 'latest';
  const scale = name === 'latest' ? scaleSection(dir) : '';
  writeFileSync(
    join(dir, `${name}.md`),
    markdown(results, machine, quick) + (scale ? `\n${scale}` : ''),
  );
  writeFileSync(join(dir, `${name}.svg`), chart(results));
}
