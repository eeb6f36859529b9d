import { runAccessMatrix } from '../../libs/testing/access-matrix.js';
import { findLeaks, type Secrets } from '../../libs/testing/exposure.js';
import { runFuzz, send, type Observed } from '../../libs/testing/fuzz-runner.js';
import { WRONG_CONTENT_TYPES } from '../../libs/testing/fuzz-mutations.js';
import { baseDraft } from '../../libs/testing/fuzz-draft.js';
import { toJson } from '../../libs/testing/schema-arbitrary.js';
import { createHarness, fuzzSeed, type Harness } from '../../libs/testing/harness.js';

/**
 * No response of any route carries a secret: card numbers, CVCs, passwords, password hashes,
 * refresh tokens (outside the answer that issued them), the JWT secret or the vault keys. The
 * requests are the fuzz's and the access matrix's, with the secrets themselves in the bodies
 * (a password in every `password`, a real card in every `number`), so an error that echoes a
 * request, or a mapper that forgets to whitelist, shows here.
 */
describe('response exposure over every route', () => {
  let h: Harness;
  const observed: Observed[] = [];

  beforeAll(async () => {
    h = await createHarness(2);
    const [a] = h.customers;
    const base = h.contextFor(a!);
    const secretsInBodies: Record<string, string> = {
      number: a!.cards[0]!.number,
      cvc: a!.cards[0]!.cvc,
      password: a!.user.password,
      email: a!.user.email,
    };
    const fuzz = await runFuzz(h.t, h.doc, {
      seed: fuzzSeed(),
      budget: 16,
      ctx: { ...base, bodyValue: (field) => secretsInBodies[field] ?? base.bodyValue(field) },
      tokenFor: h.tokenFor(a!),
    });
    observed.push(...fuzz.observed, ...(await runAccessMatrix(h)).observed);
    // Every body, secrets in it, in every content type a server might parse or echo (the fuzz
    // tries only some per operation).
    const ctx = {
      ...base,
      bodyValue: (field: string) => secretsInBodies[field] ?? base.bodyValue(field),
    };
    for (const op of h.doc.operations.filter((o) => o.body)) {
      const draft = baseDraft(op, ctx);
      // A multipart upload has no JSON body to start from: `{}`, still sent in every type.
      const text = toJson(draft.body && 'json' in draft.body ? draft.body.json : {});
      for (const contentType of [...WRONG_CONTENT_TYPES, undefined]) {
        const res = await send(
          h.t,
          op,
          { ...draft, body: { raw: text, contentType } },
          h.tokenFor(a!)(op),
        );
        const { statusCode: status, headers, body } = res;
        observed.push({ operationId: op.id, label: `as ${contentType}`, status, headers, body });
      }
    }
  }, 240_000);
  afterAll(() => h?.t.close());

  /** The refresh tokens this run knows of: the fixtures' sessions and every one issued since. */
  function refreshTokens(): string[] {
    const tokens = new Set<string>();
    for (const c of h.customers)
      [c.user.refreshToken, ...c.spareRefreshTokens].forEach((x) => tokens.add(x));
    tokens.add(h.world.admin.refreshToken);
    for (const o of observed) {
      const token = issuedRefreshToken(o);
      if (token) tokens.add(token);
    }
    return [...tokens];
  }

  /** The refresh token a login or refresh answer issued (the one place one may appear). */
  function issuedRefreshToken(o: Observed): string | undefined {
    if (o.status >= 300) return undefined;
    try {
      const token = (JSON.parse(o.body) as { refreshToken?: unknown }).refreshToken;
      return typeof token === 'string' ? token : undefined;
    } catch {
      return undefined;
    }
  }

  function secrets(): Secrets {
    const substrings: Record<string, string> = { ...h.secrets.values };
    const users = [...h.customers.map((c) => c.user), h.world.admin];
    users.forEach((u, i) => (substrings[`password of user ${i}`] = u.password));
    for (const [i, c] of h.customers.entries())
      c.cards.forEach((card, j) => (substrings[`card number ${i}.${j}`] = card.number));
    refreshTokens().forEach((token, i) => (substrings[`refresh token ${i}`] = token));
    const exactValues: Record<string, string> = {};
    for (const [i, c] of h.customers.entries())
      c.cards.forEach((card, j) => (exactValues[`CVC ${i}.${j}`] = card.cvc));
    return { substrings, exactValues };
  }

  it('saw responses of every operation', () => {
    const seen = new Set(observed.map((o) => o.operationId));
    expect(h.doc.operations.map((op) => op.id).filter((id) => !seen.has(id))).toEqual([]);
  });

  it('never answers with a card number, CVC, password, password hash, refresh token or key', () => {
    const leaks = findLeaks(observed, secrets(), (o, name, value) =>
      name.startsWith('refresh token') ? issuedRefreshToken(o) === value : false,
    );
    expect(leaks).toEqual([]);
  });
});
