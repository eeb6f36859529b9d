import type { Response as InjectResponse } from 'light-my-request';
import type { Customer } from './api-fixtures.js';
import type { Observed } from './fuzz-runner.js';
import { send } from './fuzz-runner.js';
import type { Harness } from './harness.js';
import type { Operation } from './openapi-document.js';
import { baseDraft, type Draft } from './fuzz-draft.js';
import {
  changedTables,
  databaseSnapshot,
  probesFor,
  sameAnswer,
  unknownLike,
  type Probe,
} from './matrix-support.js';
import { settled } from './settled.js';

/**
 * Who may call what, generated from the document: every operation whose path or body names a
 * customer's resource is called by customer B with customer A's ids (→ 404, answered exactly as
 * for an id that does not exist), every operation documenting a 403 (`@Roles`) is called by both
 * customers (→ 403), B's own views must not show A's data, and the database must be unchanged
 * by all of it. Controls prove the ids were real (A reaches them) and the admin passes.
 */

export type CellKind =
  'foreign id' | 'admin only' | 'foreign data' | 'owner control' | 'admin control';

export interface Cell {
  kind: CellKind;
  operationId: string;
  /** What was varied, e.g. `{id} = A's`, `body.cardToken = A's`. */
  variant: string;
  status: number;
  /** Empty when the cell holds. */
  problem?: string;
}

export interface MatrixReport {
  cells: Cell[];
  /** Operations taking an id the fixtures cannot provide (a new route needs an entry). */
  missing: string[];
  /** Tables whose rows changed while only forbidden calls were made. */
  changedTables: string[];
  observed: Observed[];
}

/** Calls, recording every answer (for the exposure check) and every cell. */
class Matrix {
  readonly report: MatrixReport = { cells: [], missing: [], changedTables: [], observed: [] };
  constructor(readonly h: Harness) {}

  async call(op: Operation, d: Draft, token: string, label: string) {
    const res = await send(this.h.t, op, d, token);
    const { statusCode: status, headers, body } = res;
    this.report.observed.push({ operationId: op.id, label, status, headers, body });
    return res;
  }

  cell(kind: CellKind, op: Operation, variant: string, status: number, problem?: string) {
    this.report.cells.push({
      kind,
      operationId: op.id,
      variant,
      status,
      ...(problem ? { problem } : {}),
    });
  }
}

const brief = (res: InjectResponse) => `${res.statusCode} ${res.body.slice(0, 160)}`;

/** Both customers are refused, the same way whether or not the named thing exists. */
async function adminOnly(m: Matrix, op: Operation, a: Customer, b: Customer) {
  for (const [who, c] of [
    ['A', a],
    ['B', b],
  ] as const) {
    const res = await m.call(
      op,
      baseDraft(op, m.h.contextFor(c)),
      c.user.accessToken,
      `customer ${who}`,
    );
    const forbidden = res.statusCode === 403 && res.json().code === 'platform.forbidden';
    m.cell(
      'admin only',
      op,
      `customer ${who}`,
      res.statusCode,
      forbidden ? undefined : `expected 403 platform.forbidden, got ${brief(res)}`,
    );
  }
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const draft = baseDraft(op, m.h.contextFor(b));
    const real = decodeURIComponent(draft.path[p.name]!);
    const other = unknownLike(real);
    const known = await m.call(op, draft, b.user.accessToken, 'customer B, existing id');
    const path = { ...draft.path, [p.name]: encodeURIComponent(other) };
    const unknown = await m.call(
      op,
      { ...draft, path },
      b.user.accessToken,
      'customer B, unknown id',
    );
    m.cell(
      'admin only',
      op,
      `{${p.name}} existing vs unknown`,
      known.statusCode,
      sameAnswer(known, real, unknown, other)
        ? undefined
        : `answers an existing {${p.name}} differently: ${brief(known)} vs ${brief(unknown)}`,
    );
  }
}

/** B names A's resource: 404 for a path id (a 4xx for a body field), as for one that does not exist. */
async function foreignId(m: Matrix, probe: Probe, b: Customer) {
  const { op, variant, real } = probe;
  // A route without a bearer token (the player page, opened by a browser with a signed URL's
  // grant or none): A's private resource is refused to anyone without its grant, as unknown.
  const as = (d: Draft): Draft => (op.secured ? d : { ...d, authorization: null });
  const who = op.secured ? 'B' : 'anyone';
  const foreign = await m.call(op, as(probe.draft()), b.user.accessToken, `${who} with ${variant}`);
  const other = unknownLike(real);
  const unknown = await m.call(
    op,
    as(probe.draft(other)),
    b.user.accessToken,
    `${who} with an unknown value`,
  );
  const inPath = variant.startsWith('{');
  const refused = inPath
    ? foreign.statusCode === 404
    : foreign.statusCode >= 400 && foreign.statusCode < 500;
  m.cell(
    'foreign id',
    op,
    variant,
    foreign.statusCode,
    !refused
      ? `expected ${inPath ? '404' : 'a 4xx'}, got ${brief(foreign)}`
      : !sameAnswer(foreign, real, unknown, other)
        ? `answers A's id differently from an unknown one: ${brief(foreign)} vs ${brief(unknown)}`
        : undefined,
  );
}

export async function runAccessMatrix(h: Harness): Promise<MatrixReport> {
  const [a, b] = h.customers as [Customer, Customer];
  const m = new Matrix(h);
  const aData = [
    a.user.id,
    a.user.email,
    ...a.accounts,
    ...a.orders,
    ...a.transfers,
    ...a.notifications,
    ...a.cards.map((c) => c.token),
    ...a.drafts,
    ...a.streaming.videos,
    ...a.streaming.uploads,
    ...a.streaming.subscriptions,
    a.saas.tenantId,
    a.saas.projectId,
    a.saas.taskId,
    a.saas.invoiceId,
  ];
  await settled(h.t, { timeout: 30_000 });
  const before = await databaseSnapshot(h.t);
  const probes: Probe[] = [];
  for (const op of h.doc.operations) {
    const own = probesFor(op, h, a, b, m.report.missing);
    if (op.roles) {
      await adminOnly(m, op, a, b);
      continue;
    }
    for (const probe of own) await foreignId(m, probe, b);
    probes.push(...own.filter((p) => p.op.secured));
    if (op.method === 'GET' && op.secured && !op.parameters.some((p) => p.in === 'path')) {
      const res = await m.call(
        op,
        baseDraft(op, h.contextFor(b)),
        b.user.accessToken,
        'B’s own view',
      );
      const leaked = aData.filter((v) => res.body.includes(v));
      m.cell(
        'foreign data',
        op,
        'B’s view',
        res.statusCode,
        leaked.length
          ? `shows A's ${leaked.join(', ')}`
          : res.statusCode >= 400
            ? `answered ${res.statusCode}`
            : undefined,
      );
    }
  }
  await settled(h.t, { timeout: 30_000 });
  m.report.changedTables = changedTables(before, await databaseSnapshot(h.t));

  // Controls, after the snapshot since they may change things: the ids were real, the admin
  // passes. Deletes go last: they remove what the other controls use.
  const deletesLast = [...probes].sort(
    (x, y) => Number(x.op.method === 'DELETE') - Number(y.op.method === 'DELETE'),
  );
  for (const { op, variant } of deletesLast) {
    const res = await m.call(
      op,
      baseDraft(op, h.contextFor(a)),
      a.user.accessToken,
      'A with own ids',
    );
    m.cell(
      'owner control',
      op,
      variant.replace("A's", 'own'),
      res.statusCode,
      [401, 404].includes(res.statusCode) || res.statusCode >= 500
        ? `A's own request answered ${brief(res)}`
        : undefined,
    );
  }
  for (const op of h.doc.operations.filter((o) => o.roles)) {
    const res = await m.call(
      op,
      baseDraft(op, h.contextFor(a)),
      h.world.admin.accessToken,
      'admin',
    );
    m.cell(
      'admin control',
      op,
      'admin',
      res.statusCode,
      [401, 403].includes(res.statusCode) || res.statusCode >= 500
        ? `the admin got ${brief(res)}`
        : undefined,
    );
  }
  return m.report;
}

/** The cells that failed, one line each. */
export const failedCells = (report: MatrixReport, kind: CellKind) =>
  report.cells
    .filter((c) => c.kind === kind && c.problem)
    .map((c) => `${c.operationId} (${c.variant}): ${c.problem}`);

/** Cells per operation and kind, for the printed table. */
export function formatMatrix(report: MatrixReport): string {
  const rows = new Map<string, Record<string, number>>();
  for (const c of report.cells) {
    const row = rows.get(c.operationId) ?? {};
    row[c.kind] = (row[c.kind] ?? 0) + 1;
    rows.set(c.operationId, row);
  }
  const lines = [...rows].map(
    ([id, r]) =>
      `${id.padEnd(40)} ${Object.entries(r)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
  );
  lines.push(
    `${report.cells.length} cells, ${report.cells.filter((c) => c.problem).length} failed; ${report.changedTables.length} tables changed`,
  );
  return lines.join('\n');
}
