import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { ReadinessChecks } from '@app/platform';
import { StreamingConfig } from '../streaming.config.js';

const run = promisify(execFile);
const logger = new Logger('Ffmpeg');
const require = createRequire(import.meta.url);

/** Where a binary came from: the variable, the system's PATH, or the npm-shipped build. */
export type BinarySource = 'env' | 'system' | 'npm';

export interface Binary {
  path: string;
  source: BinarySource;
  /** The first line of `-version`, e.g. `ffmpeg version 5.1.6-0+deb12u1`. */
  version: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    // accessSync answers "no" by throwing (ENOENT, EACCES): that is the answer asked for.
    return false;
  }
}

/** The npm-shipped binary's path (`@ffmpeg-installer/ffmpeg`, `@ffprobe-installer/ffprobe`). */
function shipped(name: 'ffmpeg' | 'ffprobe'): string | undefined {
  try {
    const pkg = require(`@${name}-installer/${name}`) as { path: string };
    return executable(pkg.path) ? pkg.path : undefined;
  } catch {
    // Not installed (an optional dependency whose platform build is absent): no npm binary.
    return undefined;
  }
}

/**
 * Picks a binary and reads its version: the variable when set (it must run), else the system's
 * (`name` on the PATH), else the npm-shipped one, so `npm ci && npm start` has a working encoder
 * on a machine without ffmpeg.
 */
export async function resolveBinary(
  name: 'ffmpeg' | 'ffprobe',
  configured: string | undefined,
): Promise<Binary> {
  if (configured) return { path: configured, source: 'env', version: await versionOf(configured) };
  // Not on the PATH (ENOENT) or not runnable: fall through to the npm build, saying why.
  const system = await versionOf(name).catch((err: unknown) => {
    logger.log(
      `${name}: no usable system binary (${(err as Error).message}); trying the npm build`,
    );
    return undefined;
  });
  if (system) return { path: name, source: 'system', version: system };
  const npm = shipped(name);
  if (npm) return { path: npm, source: 'npm', version: await versionOf(npm) };
  throw new Error(`${name}: not on the PATH and @${name}-installer/${name} is not installed`);
}

async function versionOf(path: string): Promise<string> {
  const { stdout } = await run(path, ['-hide_banner', '-version'], { timeout: 10_000 });
  return stdout.split('\n')[0]!.trim();
}

/** What a failed ffmpeg run keeps of its output: the last lines, at most 2,000 characters. */
export function tailOf(stderr: string, lines = 12): string {
  return stderr.trim().split('\n').slice(-lines).join('\n').slice(-2000);
}

export class FfmpegError extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly tail: string,
  ) {
    super(`ffmpeg exited with ${exitCode}: ${tail}`);
    this.name = 'FfmpegError';
  }
}

export interface FfmpegRun {
  /** Called with ffmpeg's position in the output, milliseconds (from `-progress pipe:1`). */
  onProgress?: (outTimeMs: number) => void;
  signal?: AbortSignal;
}

/**
 * The ffmpeg and ffprobe this process runs, chosen once at boot (logged with their versions;
 * `/health/ready` reports them). Every run is niced (STREAMING_ENCODE_NICE) so encodes leave
 * the CPU to the API, and a failure keeps only the tail of ffmpeg's output.
 */
@Injectable()
export class Ffmpeg implements OnModuleInit {
  private readonly logger = new Logger(Ffmpeg.name);
  private resolution?: Promise<{ ffmpeg: Binary; ffprobe: Binary }>;

  constructor(
    private readonly config: StreamingConfig,
    private readonly readiness: ReadinessChecks,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.binaries();
  }

  /**
   * The binaries, resolved once (logged, and reported by `/health/ready`). Awaited by every
   * run: a BullMQ worker may take a job before this module's init has finished.
   */
  binaries(): Promise<{ ffmpeg: Binary; ffprobe: Binary }> {
    this.resolution ??= (async () => {
      const [ffmpeg, ffprobe] = await Promise.all([
        resolveBinary('ffmpeg', this.config.FFMPEG_PATH),
        resolveBinary('ffprobe', this.config.FFPROBE_PATH),
      ]);
      this.readiness.register('encoder', () => ({
        up: true,
        details: { ffmpeg: ffmpeg.version, source: ffmpeg.source, ffprobe: ffprobe.version },
      }));
      this.logger.log(
        { ffmpeg, ffprobe },
        `encoder: ${ffmpeg.version} (${ffmpeg.source}, ${ffmpeg.path})`,
      );
      return { ffmpeg, ffprobe };
    })();
    return this.resolution;
  }

  /** Runs ffprobe with `args` and parses its JSON output (`-of json` is added). */
  async probeJson<T>(args: string[], timeoutMs = 30_000): Promise<T> {
    const { ffprobe } = await this.binaries();
    const { stdout } = await run(ffprobe.path, ['-v', 'error', '-of', 'json', ...args], {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as T;
  }

  /**
   * Runs ffmpeg niced with `args` (`-hide_banner -nostdin -progress pipe:1` are added first).
   * Rejects with FfmpegError (the tail of stderr) on a non-zero exit.
   */
  async exec(args: string[], options: FfmpegRun = {}): Promise<void> {
    const nice = String(this.config.STREAMING_ENCODE_NICE);
    const argv = ['-n', nice, (await this.binaries()).ffmpeg.path];
    argv.push('-hide_banner', '-nostdin', '-nostats', '-progress', 'pipe:1', ...args);
    return new Promise((resolve, reject) => {
      const child = spawn('nice', argv, {
        stdio: ['ignore', 'pipe', 'pipe'],
        signal: options.signal,
      });
      let stderr = '';
      let pending = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-16_384);
      });
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          // out_time_us is microseconds despite older builds naming it out_time_ms.
          const m = /^out_time_(?:us|ms)=(\d+)$/.exec(line);
          if (m && options.onProgress) options.onProgress(Number(m[1]) / 1000);
        }
      });
      child.on('error', (err) => reject(err));
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new FfmpegError(code, tailOf(stderr)));
      });
    });
  }
}
