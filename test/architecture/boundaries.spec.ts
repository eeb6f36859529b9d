import { cruise, type IConfiguration, type IReporterOutput } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { CONTEXT_NAMES } from '@app/platform';

const root = join(import.meta.dirname, '../..');
const config = createRequire(import.meta.url)(
  join(root, '.dependency-cruiser.cjs'),
) as IConfiguration;

async function violations(baseDir: string, paths: string[]) {
  const tsConfig = extractTSConfig(join(root, 'tsconfig.json'));
  const result = (await cruise(
    paths,
    {
      ...config.options,
      baseDir,
      ruleSet: { forbidden: config.forbidden },
      validate: true,
      tsConfig: { fileName: join(root, 'tsconfig.json') },
    },
    {},
    { tsConfig },
  )) as IReporterOutput;
  const output = result.output as Exclude<IReporterOutput['output'], string>;
  const edges = output.modules.flatMap((m) =>
    m.dependencies.map((d) => `${m.source} → ${d.resolved}`),
  );
  return {
    edges,
    found: output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`),
  };
}

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && pattern.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('architecture', () => {
  it('has no boundary violations in src/ and libs/', async () => {
    const { edges, found } = await violations(root, ['src', 'libs']);
    // The cruise really resolved the tree, path aliases included.
    expect(edges).toContain('src/identity/identity.controller.ts → libs/platform/index.ts');
    expect(edges.length).toBeGreaterThan(100);
    expect(found).toEqual([]);
  });

  it('the rules catch a cross-context import and libs/ importing src/', async () => {
    const { found } = await violations(join(import.meta.dirname, 'fixtures'), ['src', 'libs']);
    expect(found).toEqual(
      expect.arrayContaining([
        'no-cross-context: src/commerce/checkout.ts → src/payments/charge.ts',
        'libs-not-into-src: libs/platform/leak.ts → src/commerce/checkout.ts',
      ]),
    );
  });

  it('every entity of a context declares that context’s schema, and migrations touch only it', () => {
    const contexts = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(contexts.every((c) => (CONTEXT_NAMES as readonly string[]).includes(c))).toBe(true);
    const problems: string[] = [];
    for (const context of contexts) {
      for (const file of files(join(root, 'src', context), /\.entity\.ts$/)) {
        const source = readFileSync(file, 'utf8');
        const schemas = [...source.matchAll(/@Entity\(\s*\{[^}]*schema:\s*'([^']+)'/g)].map(
          (m) => m[1],
        );
        const entities = source.match(/@Entity\(/g)?.length ?? 0;
        if (schemas.length !== entities)
          problems.push(`${relative(root, file)}: an @Entity without a schema`);
        for (const s of schemas)
          if (s !== context)
            problems.push(`${relative(root, file)}: schema '${s}' is not '${context}'`);
      }
      for (const file of files(join(root, 'src', context), /^\d+-.*\.ts$/)) {
        const source = readFileSync(file, 'utf8');
        for (const [, s] of source.matchAll(/"(\w+)"\."\w+"/g))
          if (s !== context) problems.push(`${relative(root, file)}: touches schema '${s}'`);
      }
    }
    expect(problems).toEqual([]);
  });
});
