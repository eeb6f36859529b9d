/**
 * The hand-written boundary rules (the import rules live in .dependency-cruiser.cjs). Each rule
 * takes the root of a tree, so `boundaries.spec.ts` runs it on the repository (no violations,
 * and it really scanned something) and on `fixtures/` (every rule fires). Source files are
 * parsed with the TypeScript compiler, so a rule sees decorators, imports, calls and string
 * literals, not lines of text.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** What a rule found and how much it looked at (so a run that scanned nothing cannot pass). */
export interface RuleResult {
  violations: string[];
  scanned: Record<string, number>;
}

/** The code owners whose schema the rules know: `src/<context>/` and the platform. */
interface Owner {
  /** `commerce`, …, or `platform`. */
  schema: string;
  /** Its folder, relative to the root. */
  dir: string;
}

/** Folders directly under src/ (placeholders included: their schema names are reserved). */
function srcFolders(root: string): string[] {
  return readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Folders under src/ holding code. A folder with only a README (a placeholder) is not one yet. */
export function contextFolders(root: string): string[] {
  return srcFolders(root).filter((c) => tsFiles(join(root, 'src', c)).length > 0);
}

function owners(root: string): Owner[] {
  return [
    ...contextFolders(root).map((c) => ({ schema: c, dir: join('src', c) })),
    { schema: 'platform', dir: join('libs', 'platform') },
  ];
}

/**
 * Schemas a rule checks names against: every folder under src/ (a context's schema is its name),
 * `platform` and `public`. `pg_catalog.`, `information_schema.`, `e.id` or `now()` are not in it.
 */
function knownSchemas(root: string): Set<string> {
  return new Set([...srcFolders(root), 'platform', 'public']);
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

/** A migration: in a `migrations/` folder, named `<timestamp>-Name.ts`, or a MigrationInterface. */
function isMigration(file: string): boolean {
  return (
    /(^|\/)migrations\//.test(file) ||
    /^\d+-.*\.ts$/.test(file.split('/').pop()!) ||
    /\bimplements\s+MigrationInterface\b/.test(readFileSync(file, 'utf8'))
  );
}

/** A module name: `from '…'`, `import('…')`, `require('…')`. */
function isModuleSpecifier(n: ts.StringLiteral): boolean {
  const p = n.parent;
  return (
    ((ts.isImportDeclaration(p) || ts.isExportDeclaration(p)) && p.moduleSpecifier === n) ||
    ts.isExternalModuleReference(p) ||
    (ts.isLiteralTypeNode(p) && ts.isImportTypeNode(p.parent)) ||
    (ts.isCallExpression(p) &&
      (p.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(p.expression) && p.expression.text === 'require')))
  );
}

/** The text of every string and template literal but module names (`${…}` becomes a blank). */
function literals(source: ts.SourceFile): string[] {
  const texts: string[] = [];
  walk(source, (n) => {
    if (ts.isStringLiteral(n) && isModuleSpecifier(n)) return;
    // An OpenAPI `example:` value (a consumer name such as `notifications.welcome`) is not SQL.
    if (
      ts.isStringLiteral(n) &&
      ts.isPropertyAssignment(n.parent) &&
      n.parent.name.getText(source) === 'example'
    ) {
      return;
    }
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) texts.push(n.text);
    else if (ts.isTemplateExpression(n))
      texts.push([n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join(' '));
  });
  return texts;
}

/**
 * `schema.name`, `"schema"."name"`, `"schema".name` or `schema."name"` — the schema part not
 * preceded by a word, a dot or a quote (so `x.payments.y` and `'a.b'`'s tail do not count) and
 * the name not followed by a word character or a hyphen (`commerce.order-confirmed` is an event
 * type, not a table).
 */
const QUALIFIED = /(?<![\w$."])(?:"(\w+)"|([A-Za-z_]\w*))\.(?:"(\w+)"|([A-Za-z_]\w*)(?![\w-]))/g;
/** `CREATE SCHEMA x`, `DROP SCHEMA IF EXISTS "x"`, `SET SCHEMA x`, `search_path TO x, y`. */
const SCHEMA_CLAUSE = /\bschema\s+(?:if\s+(?:not\s+)?exists\s+)?"?(\w+)"?/gi;
const SEARCH_PATH = /\bsearch_path\s*(?:to|=)\s*((?:"?\w+"?\s*,\s*)*"?\w+"?)/gi;

/** Every `schema.name` a literal names whose schema is known and is not `own`. */
function foreignNames(text: string, own: string, known: Set<string>): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(QUALIFIED)) {
    // A Markdown code span (`platform.bad_request` in an operation's description) names a
    // problem code or an event, never a table: PostgreSQL does not quote with backticks.
    if (text[m.index - 1] === '`' && text[m.index + m[0].length] === '`') continue;
    // Unquoted identifiers fold to lower case in PostgreSQL; quoted ones do not.
    const schema = m[1] ?? m[2]!.toLowerCase();
    if (known.has(schema) && schema !== own) names.push(`${schema}.${m[3] ?? m[4]}`);
  }
  for (const m of text.matchAll(SCHEMA_CLAUSE)) {
    const schema = m[1]!.toLowerCase();
    if (known.has(schema) && schema !== own) names.push(`schema ${schema}`);
  }
  for (const m of text.matchAll(SEARCH_PATH))
    for (const part of m[1]!.split(',')) {
      const schema = part.trim().replace(/"/g, '').toLowerCase();
      if (known.has(schema) && schema !== own) names.push(`search_path ${schema}`);
    }
  return names;
}

const SQL =
  /\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|WITH|TRUNCATE|LOCK\s+TABLE|CREATE|ALTER|DROP|COPY|MERGE\s+INTO)\b[\s\S]*\b(FROM|INTO|SET|TABLE|JOIN|WHERE|VALUES|RETURNING|INDEX|SCHEMA|AS)\b/i;

/**
 * entity-schema: every class decorated with TypeORM's `@Entity` / `@ViewEntity` (under any
 * local name, in any .ts file) declares `schema: '<its owner>'` as a string literal.
 */
export function entitySchemaViolations(root: string): RuleResult {
  const violations: string[] = [];
  let entities = 0;
  for (const owner of owners(root)) {
    for (const file of tsFiles(join(root, owner.dir))) {
      const source = parse(file);
      const where = relative(root, file);
      const names = new Set<string>();
      const namespaces = new Set<string>();
      for (const stmt of source.statements) {
        if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
        if (stmt.moduleSpecifier.text !== 'typeorm') continue;
        const bindings = stmt.importClause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
        if (bindings && ts.isNamedImports(bindings))
          for (const el of bindings.elements)
            if (['Entity', 'ViewEntity'].includes((el.propertyName ?? el.name).text))
              names.add(el.name.text);
      }
      const isEntityDecorator = (e: ts.Expression) =>
        (ts.isIdentifier(e) && (names.has(e.text) || e.text === 'Entity')) ||
        (ts.isPropertyAccessExpression(e) &&
          ts.isIdentifier(e.expression) &&
          namespaces.has(e.expression.text) &&
          ['Entity', 'ViewEntity'].includes(e.name.text));
      walk(source, (n) => {
        if (!ts.isClassDeclaration(n)) return;
        for (const decorator of ts.getDecorators(n) ?? []) {
          const call = decorator.expression;
          const callee = ts.isCallExpression(call) ? call.expression : call;
          if (!isEntityDecorator(callee)) continue;
          entities++;
          const cls = n.name?.text ?? '(anonymous)';
          const options = ts.isCallExpression(call)
            ? call.arguments.find(ts.isObjectLiteralExpression)
            : undefined;
          const schema = options?.properties.find(
            (p): p is ts.PropertyAssignment =>
              ts.isPropertyAssignment(p) &&
              (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) &&
              p.name.text === 'schema',
          );
          if (!schema) violations.push(`entity-schema: ${where}: ${cls} declares no schema`);
          else if (!ts.isStringLiteralLike(schema.initializer))
            violations.push(`entity-schema: ${where}: ${cls}'s schema is not a string literal`);
          else if (schema.initializer.text !== owner.schema)
            violations.push(
              `entity-schema: ${where}: ${cls} is in schema '${schema.initializer.text}', not '${owner.schema}'`,
            );
        }
      });
    }
  }
  return { violations, scanned: { entities } };
}

/** migration-schema: an owner's migrations name no other known schema, quoted or not. */
export function migrationSchemaViolations(root: string): RuleResult {
  const known = knownSchemas(root);
  const violations: string[] = [];
  let migrations = 0;
  let statements = 0;
  for (const owner of owners(root)) {
    for (const file of tsFiles(join(root, owner.dir)).filter(isMigration)) {
      migrations++;
      for (const text of literals(parse(file))) {
        statements++;
        for (const name of foreignNames(text, owner.schema, known))
          violations.push(`migration-schema: ${relative(root, file)}: names ${name}`);
      }
    }
  }
  return { violations, scanned: { migrations, statements } };
}

/**
 * Every problem code the catalogues define (`defineErrors({ 'identity.email_taken': … })` in
 * `src/<context>/<context>.error.ts`, the platform's in `libs/platform/http/error-catalogue.ts`):
 * a literal that is exactly one of them names a code, not a table.
 */
function problemCodes(root: string): Set<string> {
  const files = [
    join(root, 'libs/platform/http/error-catalogue.ts'),
    ...contextFolders(root).map((c) => join(root, 'src', c, `${c}.error.ts`)),
  ].filter((f) => existsSync(f));
  const codes = new Set<string>();
  for (const file of files) {
    walk(parse(file), (n) => {
      if (
        ts.isPropertyAssignment(n) &&
        ts.isStringLiteral(n.name) &&
        /^[a-z][a-z-]*\.[a-z_]+$/.test(n.name.text)
      ) {
        codes.add(n.name.text);
      }
    });
  }
  return codes;
}

/**
 * sql-schema: outside migrations, no string or template literal of an owner names another known
 * schema (`platform.` included: the platform's tables are reached through its services). Every
 * literal is checked, not only those that look like SQL, so a table name kept in a constant
 * counts too; `sql` counts the literals that are queries, to prove the scan found them.
 */
export function sqlSchemaViolations(root: string): RuleResult {
  const known = knownSchemas(root);
  const codes = problemCodes(root);
  const violations: string[] = [];
  let sql = 0;
  let literalCount = 0;
  for (const owner of owners(root)) {
    for (const file of tsFiles(join(root, owner.dir)).filter((f) => !isMigration(f))) {
      for (const text of literals(parse(file))) {
        literalCount++;
        if (codes.has(text)) continue; // `platform.rate_limited` is a problem code, not a table
        if (SQL.test(text)) sql++;
        for (const name of foreignNames(text, owner.schema, known))
          violations.push(`sql-schema: ${relative(root, file)}: names ${name}`);
      }
    }
  }
  return { violations, scanned: { literals: literalCount, sql } };
}

/** The platform's unprefixed Redis: a context reaches Redis only through `ContextRedis`. */
const PLATFORM_REDIS = ['REDIS', 'InjectRedis', 'RedisKeys', 'createRedis'];

function isPlatformModule(specifier: string): boolean {
  return specifier === '@app/platform' || /(^|\/)libs\/platform(\/|$)/.test(specifier);
}

/**
 * redis-prefix: context code never imports the platform's unprefixed client (`REDIS`,
 * `InjectRedis`, `RedisKeys`, `createRedis`), never opens its own ioredis connection, and asks
 * `ContextRedisModule.forContext(...)` only for its own name, as a literal.
 */
export function redisPrefixViolations(root: string): RuleResult {
  const violations: string[] = [];
  let files = 0;
  let forContext = 0;
  for (const context of contextFolders(root)) {
    for (const file of tsFiles(join(root, 'src', context))) {
      files++;
      const source = parse(file);
      const where = relative(root, file);
      const platformNamespaces = new Set<string>();
      const ioredis = new Set<string>();
      const ioredisNamespaces = new Set<string>();
      const contextRedisModule = new Set(['ContextRedisModule']);
      for (const stmt of source.statements) {
        const isImport = ts.isImportDeclaration(stmt);
        if (!isImport && !ts.isExportDeclaration(stmt)) continue;
        const specifier = stmt.moduleSpecifier;
        if (!specifier || !ts.isStringLiteral(specifier)) continue;
        const bindings = isImport ? stmt.importClause?.namedBindings : stmt.exportClause;
        const elements =
          bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings))
            ? bindings.elements
            : [];
        if (isPlatformModule(specifier.text)) {
          for (const el of elements) {
            const imported = (el.propertyName ?? el.name).text;
            if (PLATFORM_REDIS.includes(imported))
              violations.push(`redis-prefix: ${where}: imports ${imported} from the platform`);
            if (imported === 'ContextRedisModule') contextRedisModule.add(el.name.text);
          }
          if (bindings && ts.isNamespaceImport(bindings))
            platformNamespaces.add(bindings.name.text);
          if (!isImport && !stmt.exportClause)
            violations.push(`redis-prefix: ${where}: re-exports all of the platform`);
        }
        if (specifier.text === 'ioredis' && isImport) {
          const clause = stmt.importClause;
          if (clause?.name) ioredis.add(clause.name.text);
          for (const el of elements) ioredis.add(el.name.text);
          if (bindings && ts.isNamespaceImport(bindings)) ioredisNamespaces.add(bindings.name.text);
        }
      }
      walk(source, (n) => {
        if (
          ts.isPropertyAccessExpression(n) &&
          ts.isIdentifier(n.expression) &&
          platformNamespaces.has(n.expression.text) &&
          PLATFORM_REDIS.includes(n.name.text)
        )
          violations.push(`redis-prefix: ${where}: uses ${n.name.text} from the platform`);
        if (ts.isNewExpression(n)) {
          const e = n.expression;
          if (
            (ts.isIdentifier(e) && ioredis.has(e.text)) ||
            (ts.isPropertyAccessExpression(e) &&
              ts.isIdentifier(e.expression) &&
              ioredisNamespaces.has(e.expression.text))
          )
            violations.push(`redis-prefix: ${where}: opens its own Redis connection`);
        }
        if (
          ts.isCallExpression(n) &&
          ts.isPropertyAccessExpression(n.expression) &&
          n.expression.name.text === 'forContext'
        ) {
          const target = n.expression.expression;
          const isContextRedis =
            (ts.isIdentifier(target) && contextRedisModule.has(target.text)) ||
            (ts.isPropertyAccessExpression(target) &&
              target.name.text === 'ContextRedisModule' &&
              ts.isIdentifier(target.expression) &&
              platformNamespaces.has(target.expression.text));
          if (!isContextRedis) return;
          forContext++;
          const [arg] = n.arguments;
          if (!arg || !ts.isStringLiteralLike(arg))
            violations.push(
              `redis-prefix: ${where}: ContextRedisModule.forContext(${arg?.getText(source) ?? ''}) is not a string literal`,
            );
          else if (arg.text !== context)
            violations.push(
              `redis-prefix: ${where}: ContextRedisModule.forContext('${arg.text}') in context '${context}'`,
            );
        }
      });
    }
  }
  return { violations, scanned: { files, forContext } };
}

/** What the descriptor rule needs of `CONTEXTS` (src/contexts.ts). */
export interface ListedContext {
  readonly name: string;
  readonly schema: string;
  readonly redisPrefix: string;
}

/**
 * context-descriptor: every folder of src/ holding code is a context — it has
 * `src/<ctx>/<ctx>.context.ts` and is listed in `CONTEXTS`; everything `CONTEXTS` lists has its
 * folder; and the schema and Redis prefix are the name (what the other rules assume).
 */
export function contextDescriptorViolations(
  root: string,
  contexts: readonly ListedContext[],
): RuleResult {
  const violations: string[] = [];
  const folders = contextFolders(root);
  const listed = contexts.map((c) => c.name);
  for (const folder of folders) {
    if (!existsSync(join(root, 'src', folder, `${folder}.context.ts`)))
      violations.push(`context-descriptor: src/${folder}/ has no ${folder}.context.ts`);
    if (!listed.includes(folder))
      violations.push(`context-descriptor: src/${folder}/ is not listed in CONTEXTS`);
  }
  for (const c of contexts) {
    if (!folders.includes(c.name))
      violations.push(
        `context-descriptor: CONTEXTS lists '${c.name}', which has no src/${c.name}/`,
      );
    if (c.schema !== c.name)
      violations.push(`context-descriptor: '${c.name}' uses schema '${c.schema}', not its name`);
    if (c.redisPrefix !== `${c.name}:`)
      violations.push(
        `context-descriptor: '${c.name}' uses Redis prefix '${c.redisPrefix}', not '${c.name}:'`,
      );
  }
  return { violations, scanned: { contexts: folders.length } };
}
