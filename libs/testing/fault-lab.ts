/**
 * The fault lab: private PostgreSQL and Redis servers on free ports, and the built server as a
 * real child process, so a fault test can stop, kill and restart them without disturbing the
 * test files that run in parallel against the shared servers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export type StopMode = 'immediate' | 'fast';

export interface PrivateServer {
  url: string;
  /** `immediate`: no shutdown work (PostgreSQL `-m immediate`, Redis SIGKILL); `fast`: clean. */
  stop(options?: { mode?: StopMode }): Promise<void>;
  /**
   * Starts it again on the same port and data directory; `empty`: with its data deleted first
   * (a Redis restarted without its append-only file).
   */
  start(options?: { empty?: boolean }): Promise<void>;
  /** Stops it and deletes its data directory. */
  destroy(): Promise<void>;
}

export interface ServerProcess {
  url: string;
  pid: number;
  kill(signal?: NodeJS.Signals): void;
  /** Settles when the process exits, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether it has exited. */
  readonly hasExited: boolean;
  /** Its stdout and stderr so far (for a failing test's message). */
  output(): string;
}

const ROOT = resolve(import.meta.dirname, '../..');
/** Everything started here, destroyed by `destroyFaultLab()` (and at exit, as a last resort). */
const live = new Set<{ destroy(): Promise<void> | void }>();

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/**
 * Adds something (a fault proxy, say) to what `destroyFaultLab()` destroys; returns a function
 * that takes it off again (when it was closed on its own).
 */
export function registerForCleanup(thing: { destroy(): Promise<void> | void }): () => void {
  live.add(thing);
  return () => void live.delete(thing);
}

/** Destroys every server and process this file started; for afterAll. */
export async function destroyFaultLab(): Promise<void> {
  const all = [...live];
  await Promise.allSettled(all.map((s) => s.destroy()));
}

function pgBin(name: string): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error(`fault lab: no PostgreSQL ${name} under ${base}/*/bin`);
  return join(base, versions[0], 'bin', name);
}

/** PostgreSQL refuses to run as root: as root, run its tools as the `postgres` OS user. */
const asRoot = process.getuid?.() === 0;

function runPg(args: string[]): void {
  const cmd = asRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
  const res = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', cwd: '/' });
  if (res.status !== 0)
    throw new Error(`fault lab: ${args.join(' ')} failed: ${res.stderr || res.stdout}`);
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (asRoot) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gw = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pw.stdout.trim()), Number(gw.stdout.trim()));
  }
  return dir;
}

/** A fresh PostgreSQL cluster (trust auth, user `postgres`) on a free port. */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const dir = tempDir('fb-fault-pg-');
  const data = join(dir, 'data');
  const port = await freePort();
  runPg([pgBin('initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  // The socket goes into our own directory (the system's may not be writable); fsync off: the
  // lab tests crash behaviour of the app, not of PostgreSQL's storage.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  const start = async () => {
    runPg([pgBin('pg_ctl'), 'start', '-D', data, '-l', join(dir, 'log'), '-w', '-o', options]);
    running = true;
  };
  const stop = async ({ mode = 'fast' }: { mode?: StopMode } = {}) => {
    if (!running) return;
    runPg([pgBin('pg_ctl'), 'stop', '-D', data, '-m', mode, '-w']);
    running = false;
  };
  const server: PrivateServer = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: async () => {
      live.delete(server);
      try {
        await stop({ mode: 'immediate' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  live.add(server);
  await start();
  return server;
}

/**
 * A private `redis-server` (append-only file on) on a free port; `args` are extra command-line
 * options (`['--maxmemory-policy', 'allkeys-lru']`).
 */
export async function startPrivateRedis({
  args = [],
}: { args?: string[] } = {}): Promise<PrivateServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-fault-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async ({ empty = false }: { empty?: boolean } = {}) => {
    if (child) return;
    if (empty) {
      for (const entry of readdirSync(dir))
        rmSync(join(dir, entry), { recursive: true, force: true });
    }
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--dir', dir, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`fault lab: redis did not start: ${out}`)),
        10_000,
      );
      const check = () => {
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          ok();
        }
      };
      proc.stdout?.on('data', check);
      proc.once('exit', () => {
        clearTimeout(timer);
        fail(new Error(`fault lab: redis exited at start: ${out}`));
      });
    });
  };
  const stop = async ({ mode = 'fast' }: { mode?: StopMode } = {}) => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((ok) => proc.once('exit', ok));
    proc.kill(mode === 'immediate' ? 'SIGKILL' : 'SIGTERM');
    await gone;
  };
  const server: PrivateServer = {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    destroy: async () => {
      live.delete(server);
      try {
        await stop({ mode: 'immediate' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  live.add(server);
  await start();
  return server;
}

/** The newest modification time of the sources `nest build` compiles. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts'))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ (`nest build`) unless it is newer than every source: a fault test runs the built
 * server, as production does. Under a lock, so fault files starting together build once.
 */
export function buildServer(): void {
  const main = join(ROOT, 'dist/src/main.js');
  const stale = () =>
    !existsSync(main) ||
    Math.max(
      ...['src', 'libs/platform', 'libs/contracts', 'bench'].map((d) =>
        newestSource(join(ROOT, d)),
      ),
    ) > statSync(main).mtimeMs;
  if (!stale()) return;
  // Checked again under the lock: a file that waited for another's build must not build again.
  const stillStale =
    '[ ! -f dist/src/main.js ] || [ -n "$(find src libs/platform libs/contracts bench -name \'*.ts\' -newer dist/src/main.js -print -quit)" ]';
  const res = spawnSync(
    'flock',
    [
      join(tmpdir(), 'fault-lab-build.lock'),
      'sh',
      '-c',
      `if ${stillStale}; then npx nest build; fi`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`nest build failed: ${res.stdout}${res.stderr}`);
}

/**
 * The built server (`node dist/src/main.js`) as a child process on a free port, against the
 * given DATABASE_URL and REDIS_URL, with a fresh Redis prefix; resolves once /health/ready
 * answers 200.
 */
export async function startServer(
  env: Record<string, string> & { DATABASE_URL: string; REDIS_URL: string },
  { readyTimeoutMs = 60_000 } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      ...(process.env.DATA_DIR ? { DATA_DIR: process.env.DATA_DIR } : {}),
      MIGRATIONS_RUN: 'true',
      DEMO_DATA: 'false',
      LOG_LEVEL: process.env.FAULT_LAB_LOG_LEVEL ?? 'warn',
      REDIS_PREFIX: `fault:${randomBytes(5).toString('hex')}:`,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
  });
  let out = '';
  // Keeps the tail only: a long test's logs would otherwise grow without bound.
  const collect = (d: Buffer) => (out = (out + d.toString()).slice(-200_000));
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    proc.once('exit', (code, signal) => {
      hasExited = true;
      ok({ code, signal });
    }),
  );
  const handle: ServerProcess & { destroy(): Promise<void> } = {
    url,
    pid: proc.pid!,
    kill: (signal = 'SIGTERM') => void proc.kill(signal),
    exited,
    get hasExited() {
      return hasExited;
    },
    output: () => out,
    destroy: async () => {
      live.delete(handle);
      if (hasExited) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
  live.add(handle);
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    // `exit` on the error: a test of a refused boot asserts the exit code.
    if (hasExited)
      throw Object.assign(new Error(`server exited during start:\n${out}`), { exit: await exited });
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await handle.destroy();
      throw new Error(`server not ready within ${readyTimeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// A last resort when a test run dies without its afterAll: no server outlives the worker.
process.once('exit', () => {
  for (const s of live) void s.destroy();
});
