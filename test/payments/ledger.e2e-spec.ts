import { Transactions } from '@app/platform';
import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import { v7 as uuidv7 } from 'uuid';
import { Ledger, type TransferRequest } from '../../src/payments/ledger/ledger.js';

/** A seeded PRNG so a failing run can be replayed (the seed is printed in the test name). */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('payments ledger', () => {
  let t: TestApp;
  let admin: TestUser;
  let ledger: Ledger;
  let tx: Transactions;
  const run = (req: TransferRequest) => tx.run((x) => ledger.transfer(x.manager, req));

  async function account(opts: { flagged: boolean; currency?: string }) {
    const id = uuidv7();
    await t.dataSource.query(
      `INSERT INTO payments.accounts (id, owner_id, kind, currency, debits_must_not_exceed_credits) VALUES ($1, $2, $3, $4, $5)`,
      // Unflagged accounts stand for the bank/settlement side: they may go negative.
      [id, uuidv7(), 'wallet', opts.currency ?? 'EUR', opts.flagged],
    );
    return id;
  }
  const verify = async () =>
    (await t.get('/v1/payments/ledger/verify', { token: admin.accessToken })).json();

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENTS_HOLD_TIMEOUT_SECONDS: '3600' } });
    admin = await t.newUser({ roles: ['customer', 'admin'] });
    ledger = t.resolve(Ledger);
    tx = t.resolve(Transactions);
  });
  afterAll(() => t.close());

  it('posts single-phase transfers and keeps balances, versions and entries in step', async () => {
    const source = await account({ flagged: false });
    const wallet = await account({ flagged: true });
    const r = await run({
      id: uuidv7(),
      kind: 'single',
      debitAccountId: source,
      creditAccountId: wallet,
      amount: 1000n,
      currency: 'EUR',
    });
    expect(r.ok).toBe(true);
    const [w] = await t.dataSource.query(
      `SELECT credits_posted, version FROM payments.accounts WHERE id = $1`,
      [wallet],
    );
    expect(w).toEqual({ credits_posted: '1000', version: '1' });
    const entries = await t.dataSource.query(
      `SELECT side, amount FROM payments.entries WHERE transfer_id = $1 ORDER BY side`,
      [r.ok && r.transfer.id],
    );
    expect(entries).toEqual([
      { side: 'credit', amount: '1000' },
      { side: 'debit', amount: '1000' },
    ]);
  });

  it('refuses what the rules forbid, as values', async () => {
    const source = await account({ flagged: false });
    const wallet = await account({ flagged: true });
    const usd = await account({ flagged: true, currency: 'USD' });
    await run({
      id: uuidv7(),
      kind: 'single',
      debitAccountId: source,
      creditAccountId: wallet,
      amount: 100n,
      currency: 'EUR',
    });
    expect(
      await run({
        id: uuidv7(),
        kind: 'single',
        debitAccountId: wallet,
        creditAccountId: source,
        amount: 101n,
        currency: 'EUR',
      }),
    ).toEqual({ ok: false, reason: 'insufficient_funds' });
    expect(
      await run({
        id: uuidv7(),
        kind: 'single',
        debitAccountId: wallet,
        creditAccountId: usd,
        amount: 1n,
        currency: 'EUR',
      }),
    ).toEqual({ ok: false, reason: 'currency_mismatch' });
    expect(
      await run({
        id: uuidv7(),
        kind: 'single',
        debitAccountId: wallet,
        creditAccountId: wallet,
        amount: 1n,
        currency: 'EUR',
      }),
    ).toEqual({ ok: false, reason: 'same_account' });
    expect(await run({ id: uuidv7(), kind: 'post_pending', pendingId: uuidv7() })).toEqual({
      ok: false,
      reason: 'pending_not_found',
    });
  });

  it('holds reserve funds; a hold resolves at most once; partial posts release the rest', async () => {
    const source = await account({ flagged: false });
    const wallet = await account({ flagged: true });
    const shop = await account({ flagged: true });
    await run({
      id: uuidv7(),
      kind: 'single',
      debitAccountId: source,
      creditAccountId: wallet,
      amount: 500n,
      currency: 'EUR',
    });
    const hold = uuidv7();
    expect(
      (
        await run({
          id: hold,
          kind: 'pending',
          debitAccountId: wallet,
          creditAccountId: shop,
          amount: 400n,
          currency: 'EUR',
        })
      ).ok,
    ).toBe(true);
    // Available is now 100: a second hold of 200 must fail.
    expect(
      await run({
        id: uuidv7(),
        kind: 'pending',
        debitAccountId: wallet,
        creditAccountId: shop,
        amount: 200n,
        currency: 'EUR',
      }),
    ).toEqual({ ok: false, reason: 'insufficient_funds' });
    // Post 300 of the 400 held, concurrently with a void and another post: exactly one wins.
    const results = await Promise.all([
      run({ id: uuidv7(), kind: 'post_pending', pendingId: hold, amount: 300n }),
      run({ id: uuidv7(), kind: 'void_pending', pendingId: hold }),
      run({ id: uuidv7(), kind: 'post_pending', pendingId: hold }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual([
      'pending_already_resolved',
      'pending_already_resolved',
    ]);
    const [w] = await t.dataSource.query(
      `SELECT debits_pending FROM payments.accounts WHERE id = $1`,
      [wallet],
    );
    expect(w.debits_pending).toBe('0');
  });

  it('is idempotent by transfer id', async () => {
    const source = await account({ flagged: false });
    const wallet = await account({ flagged: true });
    const id = uuidv7();
    const req: TransferRequest = {
      id,
      kind: 'single',
      debitAccountId: source,
      creditAccountId: wallet,
      amount: 7n,
      currency: 'EUR',
    };
    const [a, b] = [await run(req), await run(req)];
    expect(a.ok && !a.duplicate).toBe(true);
    expect(b.ok && b.duplicate).toBe(true);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int n FROM payments.transfers WHERE id = $1`,
      [id],
    );
    expect(n).toBe(1);
  });

  const seed = 20261123;
  it(`keeps every invariant under hundreds of concurrent random transfers, holds, posts and voids (seed ${seed})`, async () => {
    const random = prng(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    const bank = await account({ flagged: false });
    const wallets = await Promise.all([1, 2, 3, 4, 5].map(() => account({ flagged: true })));
    for (const w of wallets)
      await run({
        id: uuidv7(),
        kind: 'single',
        debitAccountId: bank,
        creditAccountId: w,
        amount: 10_000n,
        currency: 'EUR',
      });

    const holds: string[] = [];
    const attempted: TransferRequest[] = [];
    const ops: (() => Promise<void>)[] = [];
    for (let i = 0; i < 400; i++) {
      ops.push(async () => {
        const roll = random();
        let req: TransferRequest;
        if (roll < 0.35 || holds.length === 0) {
          const [from, to] = [pick(wallets), pick(wallets)];
          req = {
            id: uuidv7(),
            kind: 'single',
            debitAccountId: from,
            creditAccountId: to === from ? bank : to,
            amount: BigInt(1 + Math.floor(random() * 4000)),
            currency: 'EUR',
          };
        } else if (roll < 0.65) {
          const [from, to] = [pick(wallets), pick([...wallets, bank])];
          req = {
            id: uuidv7(),
            kind: 'pending',
            debitAccountId: from,
            creditAccountId: to === from ? bank : to,
            amount: BigInt(1 + Math.floor(random() * 3000)),
            currency: 'EUR',
          };
        } else if (roll < 0.85) {
          req = {
            id: uuidv7(),
            kind: 'post_pending',
            pendingId: pick(holds),
            amount: random() < 0.5 ? undefined : 1n,
          };
        } else {
          req = { id: uuidv7(), kind: 'void_pending', pendingId: pick(holds) };
        }
        // Some requests are sent twice (a retried call): they must not apply twice.
        const copies = random() < 0.1 ? 2 : 1;
        for (let c = 0; c < copies; c++) attempted.push(req);
        const results = await Promise.all(
          Array.from({ length: copies }, () =>
            run(req).catch((err: Error) => ({
              ok: false as const,
              reason: `error:${err.message}`,
            })),
          ),
        );
        // No call may fail with an error: a retried id (even one racing the original) answers
        // `duplicate: true`, never a raw unique violation. At most one copy applies, and a
        // duplicate is always the duplicate of a copy that applied. (A refusal is not recorded,
        // so a copy refused for insufficient funds before the other applied — the balance
        // changed in between — is a right answer too.)
        for (const r of results)
          if (!r.ok && String(r.reason).startsWith('error:'))
            throw new Error(`${req.kind} ${req.id} (${copies} copies): ${r.reason}`);
        const answers = results.map((r) =>
          r.ok ? (r.duplicate ? 'duplicate' : 'applied') : `refused: ${r.reason}`,
        );
        const count = (a: string) => answers.filter((x) => x === a).length;
        const what = `${req.kind} ${req.id} answered ${answers.join(', ')}`;
        expect(count('applied'), what).toBeLessThanOrEqual(1);
        if (count('duplicate') > 0) expect(count('applied'), what).toBe(1);
        // Whoever saw the hold resolved by the copy that applied must have seen that copy's id.
        if (count('applied') > 0) expect(count('refused: pending_already_resolved'), what).toBe(0);
        const applied = results.filter((r) => r.ok && !r.duplicate);
        if (applied.length === 1 && req.kind === 'pending') holds.push(req.id);
      });
    }
    // 8 at a time, in a random order: hundreds of transactions contending for six accounts.
    const queue = [...ops];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (queue.length) await queue.shift()!();
      }),
    );

    const ids = [...new Set(attempted.map((r) => r.id))];
    const rows: { id: string; n: number }[] = await t.dataSource.query(
      `SELECT t.id, (SELECT count(*)::int FROM payments.entries e WHERE e.transfer_id = t.id) n FROM payments.transfers t WHERE t.id = ANY($1)`,
      [ids],
    );
    expect(rows.every((r) => r.n === 2)).toBe(true);
    expect(rows.length).toBeGreaterThan(100); // enough of them went through to mean something
    const resolutions = await t.dataSource.query(
      `SELECT pending_id, count(*)::int n FROM payments.transfers WHERE pending_id IS NOT NULL GROUP BY pending_id HAVING count(*) > 1`,
    );
    expect(resolutions).toEqual([]);
    const negative = await t.dataSource.query(
      `SELECT id FROM payments.accounts WHERE debits_must_not_exceed_credits AND debits_posted + debits_pending > credits_posted`,
    );
    expect(negative).toEqual([]);
    const report = await verify();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('verify reports a break after an entry is tampered with in SQL', async () => {
    expect((await verify()).ok).toBe(true);
    await t.dataSource.query(
      `UPDATE payments.entries SET amount = amount + 1 WHERE id = (SELECT id FROM payments.entries ORDER BY created_at LIMIT 1 OFFSET 3)`,
    );
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'chain_broken',
          detail: expect.stringMatching(/hash does not match/),
        }),
      ]),
    );
  });

  it('verify reports unbalanced books when a balance is edited', async () => {
    await t.dataSource.query(
      `UPDATE payments.accounts SET credits_posted = credits_posted + 5 WHERE id = (SELECT id FROM payments.accounts WHERE kind = 'wallet' LIMIT 1)`,
    );
    const kinds = (await verify()).problems.map((p: { kind: string }) => p.kind);
    expect(kinds).toEqual(expect.arrayContaining(['unbalanced', 'balance_mismatch']));
  });

  it('is admin-only', async () => {
    const customer = await t.newUser();
    expect(
      (await t.get('/v1/payments/ledger/verify', { token: customer.accessToken })).statusCode,
    ).toBe(403);
  });
});
