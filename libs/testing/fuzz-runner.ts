import type { Response as InjectResponse } from 'light-my-request';
import { judgeResponse, type ApiDocument, type Operation } from './openapi-document.js';
import {
  baseDraft,
  generateCases,
  type Draft,
  type FuzzCase,
  type FuzzContext,
} from './openapi-fuzz.js';
import { toJson } from './schema-arbitrary.js';
import type { TestApp } from './test-app.js';

/** Every check a response is held to; `FuzzFinding.check` is one of these. */
export const CHECKS = [
  'server_error',
  'status_undocumented',
  'problem_json',
  'content_type',
  'schema',
  'negative_data_accepted',
  'auth_not_enforced',
  'slow',
] as const;
export type Check = (typeof CHECKS)[number];

/** One response the harness saw (the exposure check scans these). */
export interface Observed {
  operationId: string;
  label: string;
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

export interface FuzzFinding {
  check: Check;
  operationId: string;
  label: string;
  request: string;
  status: number;
  message: string;
}

export interface FuzzReport {
  seed: number;
  /** Per operation id: cases by kind and the statuses answered. */
  perOperation: Map<
    string,
    { total: number; byKind: Record<string, number>; statuses: Record<number, number> }
  >;
  findings: FuzzFinding[];
  observed: Observed[];
}

export interface FuzzOptions {
  seed: number;
  /** Cases per operation. */
  budget: number;
  ctx: FuzzContext;
  /** The token a valid request of this operation is sent with (customer, or admin for admin routes). */
  tokenFor: (op: Operation) => string;
  /** An answer slower than this is a finding (a hang, or work bounded by nothing). */
  maxMs?: number;
}

export function toUrl(op: Operation, d: Draft): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => d.path[name] ?? '');
  const query = d.query.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
  return query ? `${path}?${query}` : path;
}

/** Sends a draft through Fastify's inject (the whole HTTP pipeline, no socket). */
export function send(t: TestApp, op: Operation, d: Draft, token: string): Promise<InjectResponse> {
  const headers: Record<string, string | string[]> = { ...d.headers };
  if (d.authorization === undefined) headers.authorization = `Bearer ${token}`;
  else if (d.authorization !== null) headers.authorization = d.authorization;
  let payload: string | undefined;
  if (d.body && 'json' in d.body) {
    payload = toJson(d.body.json);
    headers['content-type'] = 'application/json';
  } else if (d.body) {
    payload = d.body.raw;
    if (d.body.contentType) headers['content-type'] = d.body.contentType;
  }
  return t.app.inject({
    method: op.method,
    url: toUrl(op, d),
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
}

const describe = (c: FuzzCase) => `${c.op.method} ${toUrl(c.op, c.draft).slice(0, 100)}`;

/** Lists hand out real cursors for the tampered and foreign cursor cases. */
async function collectCursors(t: TestApp, doc: ApiDocument, options: FuzzOptions) {
  for (const op of doc.operations) {
    if (op.method !== 'GET' || !op.parameters.some((p) => p.name === 'cursor')) continue;
    const d = baseDraft(op, options.ctx);
    d.query.push(['limit', '1']);
    const res = await send(t, op, d, options.tokenFor(op));
    const cursor =
      res.statusCode === 200 ? (res.json() as { nextCursor?: string }).nextCursor : null;
    if (cursor) options.ctx.cursors.set(op.id, cursor);
  }
}

/** Runs `budget` generated cases against every operation of the document and judges each answer. */
export async function runFuzz(
  t: TestApp,
  doc: ApiDocument,
  options: FuzzOptions,
): Promise<FuzzReport> {
  const report: FuzzReport = {
    seed: options.seed,
    perOperation: new Map(),
    findings: [],
    observed: [],
  };
  await collectCursors(t, doc, options);
  // Deletions last, so the resources the other operations use are still there.
  const ops = [...doc.operations].sort(
    (a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'),
  );
  for (const [i, op] of ops.entries()) {
    const stats = {
      total: 0,
      byKind: {} as Record<string, number>,
      statuses: {} as Record<number, number>,
    };
    report.perOperation.set(op.id, stats);
    for (const c of await generateCases(op, options.ctx, options.budget, options.seed + i * 7919)) {
      const started = performance.now();
      const res = await send(t, op, c.draft, options.tokenFor(op));
      const ms = performance.now() - started;
      stats.total++;
      stats.byKind[c.kind] = (stats.byKind[c.kind] ?? 0) + 1;
      stats.statuses[res.statusCode] = (stats.statuses[res.statusCode] ?? 0) + 1;
      report.observed.push({
        operationId: op.id,
        label: c.label,
        status: res.statusCode,
        headers: res.headers,
        body: res.body,
      });
      const found: { check: Check; message: string }[] = judgeResponse(op, res);
      if (c.invalid && res.statusCode < 400) {
        found.push({
          check: 'negative_data_accepted',
          message: `${res.statusCode} for a request the document forbids`,
        });
      }
      if (c.unauthorized && res.statusCode !== 401) {
        found.push({ check: 'auth_not_enforced', message: `${res.statusCode} instead of 401` });
      }
      if (ms > (options.maxMs ?? 5000))
        found.push({ check: 'slow', message: `${Math.round(ms)} ms` });
      for (const f of found) {
        report.findings.push({
          ...f,
          operationId: op.id,
          label: c.label,
          request: describe(c),
          status: res.statusCode,
        });
      }
    }
  }
  return report;
}

/** The per-operation table printed after a run: cases by kind, statuses seen, findings. */
export function formatReport(report: FuzzReport): string {
  const lines = [`fuzz seed ${report.seed} (replay with FUZZ_SEED=${report.seed})`];
  let total = 0;
  for (const [id, s] of report.perOperation) {
    total += s.total;
    const kinds = Object.entries(s.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    const statuses = Object.entries(s.statuses)
      .map(([k, n]) => `${k}×${n}`)
      .join(' ');
    const findings = report.findings.filter((f) => f.operationId === id).length;
    lines.push(
      `${id.padEnd(40)} ${String(s.total).padStart(4)} cases (${kinds}); ${statuses}; ${findings} findings`,
    );
  }
  lines.push(
    `${total} cases over ${report.perOperation.size} operations, ${report.findings.length} findings`,
  );
  return lines.join('\n');
}

/** Findings of one check, one line each (grouped so a failing assertion says exactly what broke). */
export function findingsOf(report: FuzzReport, check: Check): string[] {
  const seen = new Map<string, number>();
  for (const f of report.findings.filter((x) => x.check === check)) {
    const line = `${f.operationId}: ${f.label} → ${f.message.slice(0, 200)}  [${f.request}]`;
    seen.set(line, (seen.get(line) ?? 0) + 1);
  }
  return [...seen].map(([line, n]) => (n > 1 ? `${line} (×${n})` : line));
}
