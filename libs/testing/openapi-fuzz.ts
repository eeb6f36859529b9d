import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import {
  baseDraft,
  clone,
  draftInvalid,
  enc,
  withRealValues,
  type Draft,
  type FuzzContext,
} from './fuzz-draft.js';
import { badTokens, bodyMutations, parameterMutations, type Mutation } from './fuzz-mutations.js';
import type { Operation } from './openapi-document.js';
import { arbitraryFor } from './schema-arbitrary.js';

export { baseDraft, draftInvalid, type Draft, type FuzzContext } from './fuzz-draft.js';

/**
 * Requests for one operation, generated from its schemas: valid ones, and ones that break the
 * document on purpose (the Schemathesis idea). Whether a request is invalid is decided by
 * validating it against the document (ajv), not by the generator's intent, so "invalid → 4xx"
 * never asks the server to reject something the document allows.
 */

export type CaseKind = 'valid' | 'invalid' | 'hostile' | 'auth';

export interface FuzzCase {
  op: Operation;
  kind: CaseKind;
  /** What was done, e.g. `body.amount = 1e300`. */
  label: string;
  draft: Draft;
  /** The document does not allow this request: the answer must be 4xx. */
  invalid: boolean;
  /** No or a bad token on a secured operation: the answer must be 401. */
  unauthorized: boolean;
}

/** Valid requests with generated values (half keep the real ids so they reach the handler). */
function validDrafts(op: Operation, base: Draft, ctx: FuzzContext, n: number, seed: number) {
  const query = op.parameters.filter((p) => p.in === 'query');
  const arb = fc.record({
    body: arbitraryFor(op.body?.schema),
    query: fc.tuple(...query.map((p) => fc.option(arbitraryFor(p.schema), { nil: undefined }))),
    real: fc.boolean(),
  });
  return fc.sample(arb, { seed, numRuns: n }).map(({ body, query: values, real }, i) => {
    const d = clone(base);
    d.headers = { ...d.headers };
    if ('idempotency-key' in d.headers) d.headers['idempotency-key'] = randomUUID();
    if (op.body?.schema) d.body = { json: real ? withRealValues(body, ctx) : body };
    d.query = [];
    query.forEach((p, j) => {
      if (p.name === 'cursor') {
        const cursor = ctx.cursors.get(op.id);
        if (cursor && i % 2 === 0) d.query.push(['cursor', cursor]);
      } else if (values[j] !== undefined) d.query.push([p.name, enc(String(values[j]))]);
    });
    return { label: real ? 'generated, real ids' : 'generated', draft: d };
  });
}

/**
 * `budget` cases for an operation: every bad-token case (secured operations), a quarter valid,
 * the rest mutations taken round-robin over their categories (strings, numbers, types, nesting,
 * arrays, content types, cursors, path, query, headers…) after a seeded shuffle of each.
 */
export async function generateCases(
  op: Operation,
  ctx: FuzzContext,
  budget: number,
  seed: number,
): Promise<FuzzCase[]> {
  const base = baseDraft(op, ctx);
  const cases: FuzzCase[] = [];
  const add = (kind: CaseKind, label: string, draft: Draft, unauthorized = false) => {
    const invalid = draftInvalid(op, draft);
    cases.push({
      op,
      kind: kind === 'invalid' && !invalid ? 'hostile' : kind,
      label,
      draft,
      invalid,
      unauthorized,
    });
  };
  if (op.secured) {
    for (const [label, authorization] of Object.entries(await badTokens(ctx.jwtSecret)))
      add('auth', label, { ...clone(base), authorization }, true);
  }
  add('valid', 'documented examples', base);
  // Generated values the validator still refuses (a generator and ajv disagreeing on a format)
  // are dropped: a valid case must be valid by the document's own judge.
  const valid = Math.max(1, Math.ceil(budget / 4) - 1);
  const candidates = validDrafts(op, base, ctx, valid * 3, seed);
  for (const { label, draft } of candidates
    .filter((c) => !draftInvalid(op, c.draft))
    .slice(0, valid))
    add('valid', label, draft);
  const byCategory = new Map<string, Mutation[]>();
  for (const m of [...bodyMutations(op, base), ...parameterMutations(op, base, ctx)])
    byCategory.set(m.category, [...(byCategory.get(m.category) ?? []), m]);
  const queues = [...byCategory.values()].map(
    (ms, i) =>
      fc.sample(fc.shuffledSubarray(ms, { minLength: ms.length }), {
        seed: seed + i,
        numRuns: 1,
      })[0]!,
  );
  while (cases.length < budget && queues.some((q) => q.length > 0)) {
    for (const q of queues) {
      const m = q.shift();
      if (m && cases.length < budget) add('invalid', m.label, m.draft);
    }
  }
  return cases;
}
