import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

/**
 * `npm run bench -- --quick` still works: every scenario runs against its anchor, the invariants
 * hold afterwards, and the reports are written. Structure only — never timings (this machine is
 * shared and noisy; the figures are for `npm run bench`).
 */
describe('benchmark harness (quick mode)', () => {
  it('runs every scenario with its anchor and checks the invariants', { timeout: 600_000 }, () => {
    execFileSync('npx', ['nest', 'build'], { cwd: root, stdio: 'ignore' });
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
      'P3c',
      'P3a',
      'P3b',
      'P2',
      'P6',
      'P7',
      'P9',
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
});
