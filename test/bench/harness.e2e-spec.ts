import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { dbUrl, sql } from '../../bench/env.js';
import { buildServer } from '../../libs/testing/fault-lab.js';

const root = join(import.meta.dirname, '../..');
const results = join(root, 'bench/results');
/** The database the harness's app runs on (bench/app.ts). */
const BENCH_DB = 'fb_bench_app';

/**
 * `npm run bench -- --quick` still works: every scenario runs against its anchor, the invariants
 * hold afterwards, and the reports are written. Structure only — never timings (this machine is
 * shared and noisy; the figures are for `npm run bench`).
 */
describe('benchmark harness (quick mode)', () => {
  // dist/ as the fault lab builds it: once per change, shared with the fault files.
  beforeAll(() => buildServer(), 300_000);

  it('runs every scenario with its anchor and checks the invariants', { timeout: 600_000 }, () => {
    const before = new Set(readdirSync(join(root, 'bench/results')));
    const run = spawnSync(process.execPath, ['dist/bench/run.js', '--quick'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 540_000,
    });
    expect(run.stderr).not.toMatch(/FAILED|invariant broken/);
    expect(run.status).toBe(0);
    const report = readdirSync(join(root, 'bench/results')).find(
      (f) => f.endsWith('.json') && !before.has(f),
    );
    expect(report).toBeDefined();
    const { quick, machine, results } = JSON.parse(
      readFileSync(join(root, 'bench/results', report!), 'utf8'),
    );
    expect(quick).toBe(true);
    expect(machine).toMatchObject({
      cores: expect.any(String),
      node: process.version,
      postgresql: expect.any(String),
      redis: expect.any(String),
    });
    expect(results.map((r: { id: string }) => r.id)).toEqual([
      'P1a',
      'P1b',
      'P1c',
      'P3c',
      'P3a',
      'P3b',
      'P2',
      'P6',
      'P7',
      'P9',
      'P4a',
      'P4b',
      'P4c',
      'P4d',
      'P5a',
      'P5b',
      'P5c',
      'P8a',
      'P8b',
      'P8c',
    ]);
    for (const r of results) {
      expect(r.anchor).toHaveLength(1);
      expect(r.app).toHaveLength(1);
      expect(r.invariants).toEqual([]);
      expect(Number.isFinite(r.median)).toBe(true);
    }
    expect(run.stdout).toContain('ratio median [min–max]');
    expect(readFileSync(join(root, 'bench/results/quick.svg'), 'utf8')).toContain('<svg');
  });

  it(
    'exits non-zero naming the invariant a corrupted database breaks',
    { timeout: 600_000 },
    async () => {
      const before = new Set(readdirSync(results));
      const partial = ['partial.md', 'partial.svg']
        .filter((f) => before.has(f))
        .map((f) => [f, readFileSync(join(results, f))] as const);
      // A stale database of an earlier run must not be the one corrupted (the harness recreates it).
      await sql(dbUrl('postgres'), `DROP DATABASE IF EXISTS "${BENCH_DB}" WITH (FORCE)`);
      const child = spawn(process.execPath, ['dist/bench/run.js', '--quick', '--only=P3a'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.resume();
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        // As soon as the app has migrated its database, and long before P3a's invariants are
        // checked: an account credited with money no transfer ever moved.
        const phantom = uuidv7();
        const deadline = Date.now() + 120_000;
        for (;;) {
          const [ready] = await sql(
            dbUrl(BENCH_DB),
            `SELECT to_regclass('payments.accounts') IS NOT NULL AS ok`,
          ).catch(() => [{ ok: false }]);
          if (ready?.ok) break;
          if (Date.now() > deadline) throw new Error(`${BENCH_DB} was never migrated: ${stderr}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        await sql(
          dbUrl(BENCH_DB),
          `INSERT INTO payments.accounts (id, owner_id, kind, currency, debits_must_not_exceed_credits, credits_posted)
         VALUES ($1, $2, 'wallet', 'EUR', true, 5)`,
          [phantom, uuidv7()],
        );
        const status = await exited;
        expect(status).not.toBe(0);
        // e.g. "ledger: EUR: posted debits N ≠ posted credits N+5; account <phantom>: balances …"
        expect(stderr).toMatch(/\[bench\] P3a FAILED: P3a: invariant broken: ledger: .*EUR/);
        expect(stderr).toContain(`account ${phantom}`);
      } finally {
        child.kill('SIGKILL');
        await exited;
        for (const f of readdirSync(results)) if (!before.has(f)) rmSync(join(results, f));
        for (const [f, content] of partial)
          if (!existsSync(join(results, f)) || !readFileSync(join(results, f)).equals(content))
            writeFileSync(join(results, f), content);
      }
    },
  );
});
