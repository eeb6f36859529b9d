import 'reflect-metadata';
import { join } from 'node:path';
import { BenchApp } from './app.js';
import { dropDatabase, exec, freshDatabase, machineFacts } from './env.js';
import { runScenario, table, writeReports, type Result, type Scenario } from './harness.js';
import { p1, p3c } from './scenarios/http.js';
import { InProcessApp, p6, p9 } from './scenarios/inprocess.js';
import { p7 } from './scenarios/relay.js';
import { p2 } from './scenarios/orders.js';
import { p3a, p3b } from './scenarios/payments.js';
import { socialFeed } from './scenarios/social-feed.js';
import { p4d } from './scenarios/social-graphql.js';
import { streamingEncode } from './scenarios/streaming-encode.js';
import { p5c } from './scenarios/streaming-playback.js';
import { p8a, p8b, p8c } from './scenarios/saas.js';
import {
  runSeries,
  scaleMarkdown,
  writeScaleReports,
  type ScaleResult,
  type ScaleSeries,
} from './scale.js';
import { scaleSearch, scaleTransfers } from './scenarios/scale-data.js';
import { scaleFanOut, scaleRelay } from './scenarios/scale-feed.js';

/**
 * `npm run bench` — every scenario against its anchor, interleaved, on this machine.
 * `-- --quick`: a few seconds each (structure and invariants only, never timings);
 * `-- --only=P1a,P3a`: a subset; `-- --scale`: the scale series instead (bench/scale.ts), which
 * `--only=S1,S3` narrows too.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const scale = args.includes('--scale');
const rounds = quick ? 1 : 3;
const PGBENCH_DB = 'fb_bench_pgbench';
const log = (m: string) => console.error(`[bench] ${m}`);

/** The scale series, on an app whose celebrity threshold lets a 100k-follower author fan out. */
async function scaleRun(): Promise<number> {
  const results: ScaleResult[] = [];
  let failed = 0;
  const run = async (series: ScaleSeries[]) => {
    for (const s of series.filter((x) => !only || only.includes(x.id))) {
      try {
        results.push(await runSeries(s, log));
      } catch (err) {
        failed++;
        log(`${s.id} FAILED: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  // The relay first, on a quiet machine: the app's million-row database, its autovacuum and
  // checkpoints (and this process's load-generator garbage) would otherwise be what the
  // commit → consumer lag and this process's memory measure.
  const inproc = new InProcessApp();
  try {
    await inproc.start();
    await run([scaleRelay(inproc)]);
  } finally {
    await inproc.stop();
  }
  const app = new BenchApp();
  try {
    await app.start({ SOCIAL_CELEBRITY_THRESHOLD: '1000000' });
    const pid = () => app.pid;
    const restart = () => app.restart();
    await run(
      [scaleSearch(app, pid), scaleTransfers(app, pid), scaleFanOut(app, pid)].map((s) => ({
        ...s,
        restart,
      })),
    );
  } finally {
    await app.stop();
  }
  console.log(scaleMarkdown(results, new Date().toISOString()));
  // An `--only` run replaces just its series in the committed section; a failed run nothing.
  if (!failed) writeScaleReports(join(process.cwd(), 'bench', 'results'), results, !!only);
  return failed;
}

async function main(): Promise<number> {
  if (scale) return scaleRun();
  const pgbenchUrl = await freshDatabase(PGBENCH_DB);
  await exec('pgbench', ['-h', '127.0.0.1', '-U', 'postgres', '-i', '-q', '-s', '1', PGBENCH_DB]);
  const app = new BenchApp();
  const inproc = new InProcessApp();
  await app.start();
  await inproc.start();
  const scenarios: Scenario[] = [
    p1('P1a', 1, 'fastify'),
    p1('P1b', 10, 'fastify'),
    p1('P1c', 1, 'nest'),
    p3c(app),
    p3a(app, PGBENCH_DB),
    p3b(app, PGBENCH_DB),
    p2(app, PGBENCH_DB),
    p6(inproc),
    p7(inproc, PGBENCH_DB),
    p9(inproc),
    ...socialFeed(app),
    p4d(app),
    ...streamingEncode(app),
    p5c(app),
    p8a(app),
    p8b(app),
    p8c(app),
  ].filter((s) => !only || only.includes(s.id));
  const results: Result[] = [];
  let failed = 0;
  try {
    for (const s of scenarios) {
      try {
        results.push(await runScenario(s, rounds, quick, log));
      } catch (err) {
        failed++;
        log(`${s.id} FAILED: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const machine = await machineFacts(pgbenchUrl);
    console.log(table(results));
    writeReports(join(process.cwd(), 'bench', 'results'), results, machine, quick, !!only);
  } finally {
    await app.stop();
    await inproc.stop();
    await dropDatabase(PGBENCH_DB);
  }
  return failed;
}

main().then(
  (failed) => process.exit(failed ? 1 : 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
