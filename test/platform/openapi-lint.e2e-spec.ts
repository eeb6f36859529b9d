import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Stoplight Spectral over the committed document (equal to the served one:
 * openapi-committed.e2e-spec.ts), with the ruleset in `.spectral.yaml`: Spectral's own OpenAPI
 * rules (`spectral:oas`) must find nothing at all, and the OWASP API security rules no error —
 * the rules that do not apply are switched off there, each with its reason.
 */
interface Finding {
  code: string;
  severity: number; // 0 error, 1 warning, 2 info, 3 hint
  path: string[];
  message: string;
}

const ROOT = join(import.meta.dirname, '../..');

async function lint(): Promise<Finding[]> {
  const bin = join(ROOT, 'node_modules/.bin/spectral');
  const args = ['lint', '--format', 'json', '--quiet', '--fail-severity', 'hint', 'openapi.json'];
  // Spectral exits non-zero when it finds anything; its findings are on stdout either way.
  const { stdout } = await promisify(execFile)(bin, args, {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout?: string; stderr?: string }) => {
    if (!err.stdout?.trim().startsWith('[')) throw new Error(`spectral failed: ${err.stderr}`);
    return { stdout: err.stdout };
  });
  return JSON.parse(stdout) as Finding[];
}

const show = (f: Finding) => `${f.code} at ${f.path.join('.')}: ${f.message}`;

describe('OpenAPI lint (Spectral: spectral:oas + OWASP API security ruleset)', () => {
  let findings: Finding[];
  beforeAll(async () => {
    findings = await lint();
  }, 120_000);

  it('finds nothing with Spectral’s OpenAPI rules (errors and warnings)', () => {
    const oas = findings.filter(
      (f) => !f.code.startsWith('owasp:') && !f.code.startsWith('request-'),
    );
    expect(oas.filter((f) => f.severity <= 1).map(show)).toEqual([]);
  });

  it('finds no error with the OWASP rules and the request-limit rules', () => {
    expect(findings.filter((f) => f.severity === 0).map(show)).toEqual([]);
  });
});
