import {
  failedCells,
  formatMatrix,
  runAccessMatrix,
  type MatrixReport,
} from '../../libs/testing/access-matrix.js';
import { PATH_RESOURCES, pathResourceKey } from '../../libs/testing/api-resources.js';
import { createHarness, type Harness } from '../../libs/testing/harness.js';
import type { Operation } from '../../libs/testing/openapi-document.js';

/**
 * Object- and function-level access over every route, generated from the OpenAPI document: two
 * customers (A, B) and an admin. A route joins the matrix by existing; one whose path parameter
 * the fixtures cannot fill fails the first test with the entry to add.
 */
describe('access matrix: every route, two customers and an admin', () => {
  let h: Harness;
  let report: MatrixReport;

  beforeAll(async () => {
    h = await createHarness(2);
    report = await runAccessMatrix(h);
    console.log(formatMatrix(report));
  }, 240_000);
  afterAll(() => h?.t.close());

  it('knows how to get an id for every path parameter of the document', () => {
    expect(report.missing).toEqual([]);
  });

  it('covers every id-taking customer route and every admin-only route', () => {
    const covered = new Set(report.cells.map((c) => c.operationId));
    const ownedPath = (op: Operation) =>
      op.parameters.some(
        (p) => p.in === 'path' && PATH_RESOURCES[pathResourceKey(op.path, p.name)]?.owned,
      );
    const expected = h.doc.operations.filter((op) => op.roles || ownedPath(op));
    expect(expected.map((op) => op.id).filter((id) => !covered.has(id))).toEqual([]);
    expect(report.cells.filter((c) => c.kind === 'foreign id').length).toBeGreaterThan(0);
    expect(report.cells.filter((c) => c.kind === 'admin only').length).toBeGreaterThan(0);
  });

  it("answers B's requests for A's resources 404, exactly as for ids that do not exist", () => {
    expect(failedCells(report, 'foreign id')).toEqual([]);
  });

  it('answers customers 403 platform.forbidden on every admin-only route', () => {
    expect(failedCells(report, 'admin only')).toEqual([]);
  });

  it("never shows A's data in B's own views", () => {
    expect(failedCells(report, 'foreign data')).toEqual([]);
  });

  it('leaves the database unchanged after all the refused calls', () => {
    expect(report.changedTables).toEqual([]);
  });

  it('lets A reach every id B was refused (the ids were real)', () => {
    expect(failedCells(report, 'owner control')).toEqual([]);
  });

  it('lets the admin through every admin-only route', () => {
    expect(failedCells(report, 'admin control')).toEqual([]);
  });
});
