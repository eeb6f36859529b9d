import { Writable } from 'node:stream';
import { Metrics, RequestContext, Transactions } from '@app/platform';
import { createTestApp } from '@app/testing';

// Each app logs to its own stream (AppLogger): this one's is captured.
describe('tx.afterCommit', () => {
  it('runs follow-ups after commit; a failing one is logged with the correlation id and counted, the work stands', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logStream: stream });
    try {
      await t.dataSource.query(`CREATE TABLE public.after_commit_probe (n int)`);
      const ran: string[] = [];
      await t.resolve(RequestContext).run({ correlationId: 'corr-after-commit-1' }, () =>
        t.resolve(Transactions).run(async (tx) => {
          await tx.manager.query(`INSERT INTO public.after_commit_probe VALUES (1)`);
          tx.afterCommit(() => ran.push('sync'));
          tx.afterCommit(() => Promise.reject(new Error('cache is down')));
          tx.afterCommit(() => {
            throw new Error('thrown follow-up');
          });
          tx.afterCommit(async () => void ran.push('async'));
          expect(ran).toEqual([]); // nothing before the commit
        }),
      );
      expect(ran).toEqual(['sync', 'async']);
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM public.after_commit_probe`,
      );
      expect(n).toBe(1);
      await new Promise((r) => setImmediate(r));
      const failures = lines
        .map(
          (l) =>
            JSON.parse(l) as { msg?: string; correlationId?: string; err?: { message?: string } },
        )
        .filter((l) => l.msg === 'afterCommit follow-up failed');
      expect(failures.map((l) => l.err?.message).sort()).toEqual([
        'cache is down',
        'thrown follow-up',
      ]);
      for (const l of failures) expect(l.correlationId).toBe('corr-after-commit-1');
      expect(await t.resolve(Metrics).render()).toMatch(
        /^five_after_commit_failures_total\{service="[^"]+"\} 2$/m,
      );

      // A rolled-back transaction runs none of its follow-ups.
      await expect(
        t.resolve(Transactions).run(async (tx) => {
          tx.afterCommit(() => ran.push('never'));
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(ran).toEqual(['sync', 'async']);
    } finally {
      await t.close();
    }
  });
});
