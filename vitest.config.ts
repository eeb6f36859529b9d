import { defineConfig } from 'vitest/config';

// One runner for everything `npm test` covers: unit specs beside the code,
// scenario specs against real PostgreSQL + Redis, and the architecture rules.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    globals: true,
    root: './',
    include: [
      'src/**/*.spec.ts',
      'libs/**/*.spec.ts',
      'test/**/*.spec.ts',
      'test/**/*.e2e-spec.ts',
    ],
    globalSetup: ['./test/global-setup.ts'],
    pool: 'forks',
    // One module load per worker, not per file: importing the app took ≈ 5.5 s of every e2e
    // file (≈ 330 s of a run). Nothing a file needs is process-wide: each app owns its logger
    // (AppLogger), its database, Redis prefix and ports. 12.7 → 8.7 min here.
    isolate: false,
    // Two files at a time on two cores (vitest's default is cores − 1 = one): most files wait on
    // PostgreSQL, Redis or a child server, and the fault files use private servers, so they
    // disturb nobody. 9.3 → 6.3 min here.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
});
