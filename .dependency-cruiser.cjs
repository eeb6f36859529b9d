/**
 * Boundary rules (ARCHITECTURE §3). `test/architecture/boundaries.spec.ts` runs them in
 * `npm test`; `npx depcruise src libs -c .dependency-cruiser.cjs` shows them on the CLI.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cross-context',
      comment:
        'A context never imports another context: publish an event in libs/contracts instead.',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: '^src/$1/' },
    },
    {
      name: 'context-not-into-root',
      comment: 'A context never imports the composition root (src/*.ts).',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'libs-not-into-src',
      comment:
        'libs/ never imports src/ (libs/testing may boot the composition root, nothing else).',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^src/', pathNot: '^src/(app\\.factory|database)\\.ts$' },
    },
    {
      name: 'only-testing-boots-the-app',
      comment: 'Only libs/testing may import the composition root.',
      severity: 'error',
      from: { path: '^libs/', pathNot: '^libs/testing/' },
      to: { path: '^src/' },
    },
    {
      name: 'contracts-are-pure',
      comment: 'libs/contracts imports nothing but itself and validation/Swagger decorators.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: {
        pathNot: [
          '^libs/contracts/',
          'node_modules/(class-validator|class-transformer|@nestjs/swagger)/',
        ],
      },
    },
    {
      name: 'libs-through-their-index',
      comment:
        'src/ reaches libs/platform and libs/contracts only through their indexes (@app/platform, @app/contracts, @app/contracts/<context>), never libs/testing: what a context may use is what an index exports.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^libs/', pathNot: '^libs/(platform/|contracts/|contracts/[^/]+/)index\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included (a cycle means two files are one).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
};
