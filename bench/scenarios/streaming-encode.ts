import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveBinary } from '../../src/streaming/media-tools/ffmpeg.js';
import {
  encodeArgs,
  posterArgs,
  shellQuote,
  storyboardArgs,
} from '../../src/streaming/encode/encode-args.js';
import { planLadder } from '../../src/streaming/encode/ladder.js';
import { APP_URL, type BenchApp } from '../app.js';
import type { Scenario } from '../harness.js';

const run = promisify(execFile);

/** The clips: full runs use 10 s 1080p (P5a) and 4 × 4 s 1080p (P5b); --quick and warm-ups 1 s 480p (one rung). */
const CLIP = {
  full: { size: '1920x1080', width: 1920, height: 1080, seconds: 10 },
  batch: { size: '1920x1080', width: 1920, height: 1080, seconds: 4 },
  quick: { size: '854x480', width: 854, height: 480, seconds: 1 },
};
type Clip = (typeof CLIP)[keyof typeof CLIP];

/** The app's default encode concurrency (STREAMING_ENCODE_CONCURRENCY: one job per 2 cores). */
const PARALLEL = Math.max(1, Math.floor(availableParallelism() / 2));
/** The app's niceness for ffmpeg (STREAMING_ENCODE_NICE's default). */
const NICE = 10;

/**
 * P5a / P5b: upload → READY through the app (multipart upload, ffprobe, one BullMQ job per
 * rung, storage writes, the package job, the outbox) against the same ladder run directly by
 * a generated shell script: the very ffmpeg command lines the encoder builds (`encodeArgs`,
 * `posterArgs`, `storyboardArgs` for `planLadder`'s rungs), niced the same, with the same
 * parallelism (`xargs -P`). Wall time, lower is better; ratio = direct / app (target ≥ 0.91,
 * i.e. the app within 10 % of ffmpeg alone).
 */
export function streamingEncode(app: BenchApp): Scenario[] {
  let work = '';
  let ffmpeg = '';
  let token = '';
  const videos: string[] = [];
  const sources = new Map<Clip, string>();

  const setup = async () => {
    if (work) return;
    work = mkdtempSync(join(tmpdir(), 'bench-encode-'));
    ffmpeg = (await resolveBinary('ffmpeg', process.env.FFMPEG_PATH)).path;
    for (const clip of Object.values(CLIP)) {
      const path = join(work, `${clip.size}-${clip.seconds}s.mp4`);
      await run(
        ffmpeg,
        [
          ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
          ['-i', `testsrc2=size=${clip.size}:rate=30`, '-f', 'lavfi'],
          ['-i', 'sine=frequency=440:sample_rate=48000', '-t', String(clip.seconds)],
          ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
          ['-c:a', 'aac', '-ac', '2', '-y', path],
        ].flat(),
        { timeout: 300_000 },
      );
      sources.set(clip, path);
    }
    token = (await app.customers(1))[0]!.token;
  };
  const teardown = async () => {
    if (work) rmSync(work, { recursive: true, force: true });
    work = '';
  };

  /** The direct run: every rung of every clip through `xargs -P`, then their images. */
  const direct = async (clip: Clip, count: number): Promise<number> => {
    const dir = mkdtempSync(join(work, 'direct-'));
    // As PlanEncodes plans it: the source's bitrate is size × 8 / duration.
    const sizeBytes = statSync(sources.get(clip)!).size;
    const ladder = planLadder({
      width: clip.width,
      height: clip.height,
      fps: 30,
      hasAudio: true,
      bitrateKbps: (sizeBytes * 8) / clip.seconds / 1000,
    });
    const ff = (args: string[]) =>
      `nice -n ${NICE} ${shellQuote([ffmpeg, '-hide_banner', '-nostdin', '-loglevel', 'error', ...args])}\n`;
    for (let n = 0; n < count; n++) {
      const input = sources.get(clip)!;
      for (const r of ladder) {
        const out = join(dir, `v${n}`, r.name);
        mkdirSync(out, { recursive: true });
        writeFileSync(join(dir, `rung-${n}-${r.name}.sh`), ff(encodeArgs(r, input, out)));
      }
      const ms = clip.seconds * 1000;
      writeFileSync(
        join(dir, `package-${n}.sh`),
        ff(posterArgs(input, join(dir, `v${n}`, 'poster.jpg'), ms)) +
          ff(storyboardArgs(input, join(dir, `v${n}`, 'storyboard.jpg'), ms)),
      );
    }
    writeFileSync(
      join(dir, 'ladder.sh'),
      `set -e\ncd ${shellQuote([dir])}\n` +
        `ls rung-*.sh | xargs -P ${PARALLEL} -n 1 sh\n` +
        `ls package-*.sh | xargs -P ${PARALLEL} -n 1 sh\n`,
    );
    const start = performance.now();
    await run('sh', [join(dir, 'ladder.sh')], { timeout: 1_800_000 });
    const seconds = (performance.now() - start) / 1000;
    rmSync(dir, { recursive: true, force: true });
    return seconds;
  };

  /** Through the app: create + multipart upload each clip at once, then poll until all READY. */
  const viaApp = async (clip: Clip, count: number): Promise<number> => {
    const bytes = readFileSync(sources.get(clip)!);
    const start = performance.now();
    const ids = await Promise.all(
      Array.from({ length: count }, async (_, n) => {
        const video = await app.post('/v1/streaming/videos', { title: `P5 ${n}` }, token);
        const form = new FormData();
        form.append('file', new Blob([bytes], { type: 'video/mp4' }), 'clip.mp4');
        const res = await fetch(`${APP_URL}/v1/streaming/videos/${video.id}/source`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
        });
        if (!res.ok) throw new Error(`P5 upload: ${res.status} ${await res.text()}`);
        return video.id as string;
      }),
    );
    videos.push(...ids);
    const deadline = Date.now() + 1_800_000;
    for (const id of ids) {
      for (;;) {
        const v = await app.request('GET', `/v1/streaming/videos/${id}`, undefined, token);
        if (v.state === 'READY') break;
        if (v.state === 'FAILED') throw new Error(`P5: video ${id} FAILED: ${v.failureReason}`);
        if (Date.now() > deadline) throw new Error(`P5: video ${id} not READY in 30 min`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return (performance.now() - start) / 1000;
  };

  /** Every READY video has every rung its source allows; video-ready once; no view twice. */
  const invariants = async (): Promise<string[]> => {
    const broken: string[] = [];
    const rows = await app.query<{ id: string; width: number; height: number; rungs: number }>(
      `SELECT v.id, v.width, v.height,
              (SELECT count(*)::int FROM streaming.renditions r
                WHERE r.video_id = v.id AND r.state = 'DONE') AS rungs
         FROM streaming.videos v WHERE v.id = ANY($1::uuid[]) AND v.state = 'READY'`,
      [videos],
    );
    for (const v of rows) {
      const allowed = planLadder({
        width: v.width,
        height: v.height,
        fps: 30,
        hasAudio: true,
      }).length;
      if (v.rungs !== allowed) broken.push(`video ${v.id}: ${v.rungs} rungs, ${allowed} allowed`);
    }
    const ready = await app.query<{ id: string; n: number }>(
      `SELECT payload->>'videoId' AS id, count(*)::int AS n FROM platform.outbox
        WHERE type = 'streaming.video-ready' AND payload->>'videoId' = ANY($1::text[])
        GROUP BY 1`,
      [videos],
    );
    if (ready.length !== rows.length) broken.push(`${ready.length} video-ready for ${rows.length}`);
    for (const r of ready) if (r.n !== 1) broken.push(`video ${r.id}: video-ready ×${r.n}`);
    const [twice] = await app.query<{ n: number }>(
      `SELECT (count(*) - count(DISTINCT (viewer_id, video_id, hour)))::int AS n
         FROM streaming.views`,
    );
    if (twice!.n) broken.push(`${twice!.n} views counted twice`);
    return broken;
  };

  const scenario = (id: 'P5a' | 'P5b', count: number, full: Clip): Scenario => ({
    id,
    title:
      count === 1
        ? `upload → READY, one ${full.seconds} s ${full.height}p clip`
        : `${count} clips uploaded at once → all READY (${full.seconds} s ${full.height}p each)`,
    unit: 's',
    better: 'lower',
    model: 'closed',
    target: 0.91,
    setup,
    teardown,
    invariants,
    anchor: {
      label: `ffmpeg ladder by shell script (xargs -P ${PARALLEL})`,
      run: async (quick) => ({ value: await direct(quick ? CLIP.quick : full, count) }),
    },
    app: {
      label: 'multipart upload → BullMQ ladder → READY',
      run: async (quick) => ({
        value: await viaApp(quick ? CLIP.quick : full, count),
        notes: { [`${id} parallelism`]: PARALLEL },
      }),
    },
  });

  return [scenario('P5a', 1, CLIP.full), scenario('P5b', 4, CLIP.batch)];
}
