import {
  findingsOf,
  formatReport,
  runFuzz,
  type FuzzReport,
} from '../../libs/testing/fuzz-runner.js';
import { createHarness, fuzzSeed, type Harness } from '../../libs/testing/harness.js';

/**
 * Every operation of the served OpenAPI document, called with generated requests: valid ones
 * (documented examples, values generated from the schemas) and hostile ones (control characters,
 * NUL bytes, lone surrogates, numbers past 2^53 and int64, 1e300, deep nesting, huge arrays,
 * wrong content types, tampered and foreign cursors, odd path parameters, bad tokens). A route
 * added to the document is fuzzed by existing. `FUZZ_SEED=<n>` replays a run; `FUZZ_CASES`
 * changes the budget per operation.
 */
const BUDGET = Number(process.env.FUZZ_CASES ?? 80);

describe('fuzzing every operation from the OpenAPI document', () => {
  let h: Harness;
  let report: FuzzReport;

  beforeAll(async () => {
    h = await createHarness(1);
    const customer = h.customers[0]!;
    report = await runFuzz(h.t, h.doc, {
      seed: fuzzSeed(),
      budget: BUDGET,
      ctx: h.contextFor(customer),
      tokenFor: h.tokenFor(customer),
    });
    console.log(formatReport(report));
  }, 240_000);
  afterAll(() => h?.t.close());

  it('ran cases against every operation of the document', () => {
    expect(h.doc.operations.length).toBeGreaterThan(0);
    const empty = h.doc.operations.filter((op) => !report.perOperation.get(op.id)?.total);
    expect(empty.map((op) => op.id)).toEqual([]);
    for (const op of h.doc.operations) {
      const kinds = report.perOperation.get(op.id)!.byKind;
      expect(kinds.valid, `${op.id}: valid cases`).toBeGreaterThan(0);
      if (op.parameters.length > 0 || op.body)
        expect(kinds.invalid ?? 0, `${op.id}: invalid cases`).toBeGreaterThan(0);
      if (op.secured) expect(kinds.auth, `${op.id}: bad-token cases`).toBeGreaterThan(0);
    }
  });

  it('never answers 5xx', () => {
    expect(findingsOf(report, 'server_error')).toEqual([]);
  });

  it('answers only statuses the operation documents', () => {
    expect(findingsOf(report, 'status_undocumented')).toEqual([]);
  });

  it('answers every error as application/problem+json', () => {
    expect(findingsOf(report, 'problem_json')).toEqual([]);
  });

  it('answers with a content type documented for the status', () => {
    expect(findingsOf(report, 'content_type')).toEqual([]);
  });

  it('answers bodies that validate against their documented schemas', () => {
    expect(findingsOf(report, 'schema')).toEqual([]);
  });

  it('rejects every request the document does not allow with a 4xx', () => {
    expect(findingsOf(report, 'negative_data_accepted')).toEqual([]);
  });

  it('rejects a missing or bad token with 401 on every operation that needs one', () => {
    expect(findingsOf(report, 'auth_not_enforced')).toEqual([]);
  });

  it('answers every case within 5 seconds', () => {
    expect(findingsOf(report, 'slow')).toEqual([]);
  });
});
