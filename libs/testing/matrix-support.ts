import { randomBytes, randomUUID } from 'node:crypto';
import type { Response as InjectResponse } from 'light-my-request';
import type { Customer } from './api-fixtures.js';
import { BODY_RESOURCES, PATH_RESOURCES, pathResourceKey } from './api-resources.js';
import { baseDraft, type Draft, type FuzzContext } from './fuzz-draft.js';
import type { Harness } from './harness.js';
import type { Operation } from './openapi-document.js';
import type { TestApp } from './test-app.js';

/** What the access matrix compares: the database before and after, and answers to two ids. */

/** Every row of every table, hashed per table (what "the database is unchanged" compares). */
/**
 * Rows every answered request may add, left out of the comparison: the API calls the platform
 * meters (B's own views are successful, billable calls; refused ones are not metered).
 */
const METERED: Record<string, string> = {
  'saas.usage_events': `meter <> 'api_calls'`,
  'saas.usage_hourly': `meter <> 'api_calls'`,
};

export async function databaseSnapshot(t: TestApp): Promise<Map<string, string>> {
  const tables: { schema: string; name: string }[] = await t.dataSource.query(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
      ORDER BY 1, 2`,
  );
  const snapshot = new Map<string, string>();
  for (const { schema, name } of tables) {
    const only = METERED[`${schema}.${name}`];
    const [row] = await t.dataSource.query(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(md5(r::text), '' ORDER BY md5(r::text)), '')) AS h
         FROM "${schema}"."${name}" r${only ? ` WHERE ${only}` : ''}`,
    );
    snapshot.set(`${schema}.${name}`, `${row.n}:${row.h}`);
  }
  return snapshot;
}

/** A value of the same shape as `real` that names nothing. */
export function unknownLike(real: string): string {
  if (/^[0-9a-f-]{36}$/i.test(real)) return randomUUID();
  if (real.startsWith('tok_')) return `tok_${randomBytes(18).toString('base64url')}`;
  return `${real.slice(0, 4)}${randomBytes(8).toString('hex')}`;
}

/** Status, content type and body with the varied value and the trace id taken out. */
function normalized(res: InjectResponse, value: string) {
  let body: unknown = res.body
    .split(value)
    .join('<id>')
    .split(encodeURIComponent(value))
    .join('<id>');
  try {
    const json = JSON.parse(body as string) as Record<string, unknown>;
    delete json.traceId;
    body = json;
  } catch {
    // compare the text
  }
  return { status: res.statusCode, type: res.headers['content-type'], body };
}

/** Whether two answers are the same once the ids in them are taken out (no existence oracle). */
export function sameAnswer(a: InjectResponse, aValue: string, b: InjectResponse, bValue: string) {
  return JSON.stringify(normalized(a, aValue)) === JSON.stringify(normalized(b, bValue));
}

/** Tables whose rows differ between two snapshots. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k));
}

export interface Probe {
  op: Operation;
  variant: string;
  draft: (override?: string) => Draft;
  real: string;
}

/** B's request, with one of A's resources in it (or, with `override`, a value naming nothing). */
export function probesFor(
  op: Operation,
  h: Harness,
  a: Customer,
  b: Customer,
  missing: string[],
): Probe[] {
  const ctxB = h.contextFor(b);
  const probes: Probe[] = [];
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const key = pathResourceKey(op.path, p.name);
    const resource = PATH_RESOURCES[key];
    const real = resource?.value(h.world, a);
    if (!resource || real === undefined) {
      missing.push(
        `${op.id}: no way to get a {${p.name}} — add '${key}' to PATH_RESOURCES (libs/testing/api-resources.ts)`,
      );
      continue;
    }
    if (!resource.owned) continue;
    const ctx: FuzzContext = {
      ...ctxB,
      pathValue: (o, name) => (name === p.name ? real : ctxB.pathValue(o, name)),
    };
    probes.push({
      op,
      variant: `{${p.name}} = A's`,
      real,
      draft: (override) => {
        const d = baseDraft(op, ctx);
        if (override) d.path[p.name] = encodeURIComponent(override);
        return d;
      },
    });
  }
  // A body field naming A's resource is judged only where the operation can refuse it there and
  // then (it documents a 404); an order's card is checked later by the saga, asynchronously, and
  // so is a subscription's (`checkedLater`).
  const bodyFields = op.responses['404'] ? Object.keys(op.body?.schema?.properties ?? {}) : [];
  for (const field of bodyFields) {
    const resource = BODY_RESOURCES[field];
    if (!resource?.owned || resource.checkedLater?.includes(op.id)) continue;
    const real = resource.value(h.world, a)!;
    probes.push({
      op,
      variant: `body.${field} = A's`,
      real,
      draft: (override) => {
        const d = baseDraft(op, ctxB);
        const json = (d.body as { json: Record<string, unknown> }).json;
        d.body = { json: { ...json, [field]: override ?? real } };
        return d;
      },
    });
  }
  return probes;
}
