import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { resolveBinary } from '../../src/streaming/media-tools/ffmpeg.js';
import { APP_URL, type BenchApp } from '../app.js';
import { startProcess, stopProcess } from '../env.js';
import type { Measurement, Scenario } from '../harness.js';
import { duration, load } from './http.js';

const run = promisify(execFile);
const ANCHOR_PORT = 3953;
const SEGMENT = '360p/seg-00001.m4s';

const measure = (r: Awaited<ReturnType<typeof load>>, label: string): Measurement => {
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${label}: ${r.non2xx} non-2xx and ${r.errors} errors`);
  return { value: r.requests.average, notes: { [`${label} p99 ms`]: r.latency.p99 } };
};

/**
 * P5c: one HLS segment through signed playback (token checked, origin shield warm) vs a bare
 * `@fastify/static` server on the same file. The package is a 4 s 360p ladder rung made by
 * ffmpeg straight into the app's local storage (`<DATA_DIR>/storage`, the bench app's default).
 */
export function p5c(app: BenchApp): Scenario {
  let anchor: ChildProcess | undefined;
  let signedPath = '';
  return {
    id: 'P5c',
    title: 'HLS segment requests, signed playback (warm shield)',
    unit: 'req/s',
    better: 'higher',
    model: 'closed',
    target: 0.7,
    setup: async () => {
      const [user] = await app.customers(1);
      const id = uuidv7();
      const hls = resolve(
        process.env.DATA_DIR ?? './.data',
        'storage',
        `streaming/videos/${id}/hls`,
      );
      const rung = join(hls, '360p');
      mkdirSync(rung, { recursive: true });
      await run(
        (await resolveBinary('ffmpeg', process.env.FFMPEG_PATH)).path,
        [
          [
            '-hide_banner',
            '-loglevel',
            'error',
            '-f',
            'lavfi',
            '-i',
            'testsrc2=size=640x360:rate=30',
          ],
          ['-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '600k', '-g', '30'],
          ['-f', 'hls', '-hls_time', '1', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4'],
          ['-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', 'seg-%05d.m4s'],
          ['index.m3u8'],
        ].flat(),
        { cwd: rung, timeout: 120_000 },
      );
      writeFileSync(
        join(hls, 'master.m3u8'),
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=700000,RESOLUTION=640x360\n360p/index.m3u8\n',
      );
      await app.query(
        `INSERT INTO streaming.videos (id, channel_id, title, visibility, state, master_key, ready_at)
         VALUES ($1, $2, 'P5c', 'private', 'READY', $3, now())`,
        [id, user!.id, `streaming/videos/${id}/hls/master.m3u8`],
      );
      const playback = await app.request(
        'GET',
        `/v1/streaming/videos/${id}/playback`,
        undefined,
        user!.token,
      );
      signedPath = (playback.url as string).replace(/master\.m3u8$/, SEGMENT);
      anchor = await startProcess(
        ['dist/bench/anchors/static-files.js'],
        { PORT: String(ANCHOR_PORT), STATIC_ROOT: hls },
        `http://127.0.0.1:${ANCHOR_PORT}/master.m3u8`,
      );
      // Warm the shield.
      const warm = await fetch(APP_URL + signedPath);
      if (!warm.ok) throw new Error(`P5c: the signed segment answered ${warm.status}`);
      await warm.arrayBuffer();
    },
    teardown: () => stopProcess(anchor),
    anchor: {
      label: '@fastify/static',
      run: async (quick) =>
        measure(
          await load({
            url: `http://127.0.0.1:${ANCHOR_PORT}/${SEGMENT}`,
            duration: duration(quick),
          }),
          'anchor',
        ),
    },
    app: {
      label: 'signed media route',
      run: async (quick) =>
        measure(await load({ url: APP_URL + signedPath, duration: duration(quick) }), 'app'),
    },
  };
}
