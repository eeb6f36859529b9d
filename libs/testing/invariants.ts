/**
 * The invariants every fault test ends with (issue #11 §2), read straight from the database with
 * a `pg` client — never through the app, which may be the thing that is broken. Checked:
 *
 * - ledger: what `GET /v1/payments/ledger/verify` checks (balanced per currency, no flagged
 *   account below zero, two matching entries per transfer, holds resolved by matching transfers,
 *   pending balances equal to the open holds, unbroken hash chains ending at the account rows);
 * - stock: never oversold, reserved units equal to the recorded movements, no terminal order
 *   still holding a reservation, each order's movement made at most once;
 * - every saga and every order terminal, no open hold left by a finished saga, orders and their
 *   payments agreeing (a confirmed order was paid and not refunded; a paid order that did not
 *   stay confirmed was refunded);
 * - messaging: every outbox row dispatched, and every delivery to every consumer registered when
 *   it was dispatched `done` (none pending, failed or parked);
 * - notifications: none left `queued` or `sending` (the sweeper re-queues those: a fault test
 *   that loses jobs sets NOTIFICATIONS_SWEEP_INTERVAL_MS / NOTIFICATIONS_STALE_QUEUED_MS /
 *   NOTIFICATIONS_CLAIM_TIMEOUT_MS low, or convergence takes their defaults, 30 s to 5 min);
 * - idempotency keys: one order per (customer, key), one saga per (kind, business key).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface InvariantReport {
  ok: boolean;
  problems: string[];
  counts: Record<string, number>;
}

/** Problems listed per check, at most this many (the count says how many there were). */
const SHOWN = 5;

type Row = Record<string, any>;

/** Reads the database directly (pg Client on databaseUrl) — never through the app. */
export async function checkInvariants(databaseUrl: string): Promise<InvariantReport> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const problems: string[] = [];
  const counts: Record<string, number> = {};
  const q = async (sql: string, params: unknown[] = []): Promise<Row[]> =>
    (await client.query(sql, params)).rows;
  /** Runs a query whose rows are violations; each becomes a problem. */
  const none = async (name: string, sql: string, describe: (r: Row) => string) => {
    const rows = await q(sql);
    for (const r of rows.slice(0, SHOWN)) problems.push(`${name}: ${describe(r)}`);
    if (rows.length > SHOWN) problems.push(`${name}: … and ${rows.length - SHOWN} more`);
  };
  try {
    // One snapshot, so work committing meanwhile cannot look like a break.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [c] = await q(
      `SELECT (SELECT count(*) FROM commerce.orders)::int orders,
              (SELECT count(*) FROM payments.sagas)::int sagas,
              (SELECT count(*) FROM payments.transfers)::int transfers,
              (SELECT count(*) FROM payments.entries)::int entries,
              (SELECT count(*) FROM platform.outbox)::int outbox,
              (SELECT count(*) FROM platform.inbox)::int inbox,
              (SELECT count(*) FROM notifications.notifications)::int notifications`,
    );
    Object.assign(counts, c);

    await checkLedger(q, none, problems);

    // Stock.
    await none(
      'oversold',
      `SELECT sku, on_hand, reserved FROM commerce.inventory WHERE reserved > on_hand OR reserved < 0 OR on_hand < 0`,
      (r) => `${r.sku} on hand ${r.on_hand}, reserved ${r.reserved}`,
    );
    await none(
      'reserved_mismatch',
      `SELECT i.sku, i.reserved, COALESCE(sum(m.reserved_delta), 0)::int moved
         FROM commerce.inventory i LEFT JOIN commerce.stock_movements m ON m.sku = i.sku
        GROUP BY i.sku, i.reserved HAVING i.reserved <> COALESCE(sum(m.reserved_delta), 0)`,
      (r) => `${r.sku} reserved ${r.reserved}, movements say ${r.moved}`,
    );
    await none(
      'reservation_held',
      `SELECT o.id, o.status FROM commerce.orders o
        WHERE o.status IN ('CONFIRMED', 'FAILED', 'CANCELLED')
          AND EXISTS (SELECT 1 FROM commerce.stock_movements m WHERE m.order_id = o.id AND m.reason = 'reserve')
          AND NOT EXISTS (SELECT 1 FROM commerce.stock_movements m WHERE m.order_id = o.id AND m.reason IN ('commit', 'release'))`,
      (r) => `${r.status} order ${r.id} still holds its reservation`,
    );
    await none(
      'movement_repeated',
      `SELECT order_id, sku, reason, count(*)::int n FROM commerce.stock_movements
        WHERE order_id IS NOT NULL GROUP BY order_id, sku, reason HAVING count(*) > 1`,
      (r) => `order ${r.order_id} ${r.reason} ${r.sku} ${r.n} times`,
    );

    // Terminal states.
    await none(
      'order_not_terminal',
      `SELECT id, status FROM commerce.orders WHERE status NOT IN ('CONFIRMED', 'FAILED', 'CANCELLED')`,
      (r) => `order ${r.id} is ${r.status}`,
    );
    await none(
      'saga_not_terminal',
      `SELECT id, kind, state, step FROM payments.sagas WHERE state NOT IN ('COMPLETED', 'FAILED')`,
      (r) => `${r.kind} saga ${r.id} is ${r.state} at ${r.step}`,
    );
    await none(
      'hold_left_open',
      `SELECT p.id, s.id saga_id, s.state FROM payments.transfers p JOIN payments.sagas s ON s.id = p.saga_id
        WHERE p.kind = 'pending' AND s.state IN ('COMPLETED', 'FAILED')
          AND NOT EXISTS (SELECT 1 FROM payments.transfers r WHERE r.pending_id = p.id)`,
      (r) => `hold ${r.id} of ${r.state} saga ${r.saga_id} is neither posted nor voided`,
    );

    // Orders and payments agree.
    await none(
      'confirmed_unpaid',
      `SELECT o.id FROM commerce.orders o WHERE o.status = 'CONFIRMED' AND NOT EXISTS (
         SELECT 1 FROM payments.sagas s WHERE s.kind = 'order_payment' AND s.business_key = o.id::text AND s.state = 'COMPLETED')`,
      (r) => `order ${r.id} is CONFIRMED without a completed payment`,
    );
    await none(
      'confirmed_refunded',
      `SELECT o.id FROM commerce.orders o JOIN payments.sagas s
           ON s.kind = 'order_refund' AND s.business_key = o.id::text
        WHERE o.status = 'CONFIRMED' AND s.data ? 'refunded'`,
      (r) => `order ${r.id} is CONFIRMED but was refunded`,
    );
    await none(
      'paid_not_refunded',
      `SELECT o.id, o.status FROM commerce.orders o JOIN payments.sagas s
           ON s.kind = 'order_payment' AND s.business_key = o.id::text AND s.state = 'COMPLETED'
        WHERE o.status IN ('FAILED', 'CANCELLED') AND NOT EXISTS (
          SELECT 1 FROM payments.sagas r WHERE r.kind = 'order_refund' AND r.business_key = o.id::text
             AND r.state = 'COMPLETED' AND r.data ? 'refunded')`,
      (r) => `${r.status} order ${r.id} was paid and not refunded`,
    );

    // Messaging.
    await none(
      'outbox_undispatched',
      `SELECT id, type FROM platform.outbox WHERE dispatched_at IS NULL`,
      (r) => `${r.type} ${r.id}`,
    );
    await none(
      'delivery_not_done',
      `SELECT event_id, consumer, event_type, status, attempts, last_error FROM platform.inbox WHERE status <> 'done'`,
      (r) =>
        `${r.event_type} ${r.event_id} → ${r.consumer} is ${r.status} after ${r.attempts} attempts` +
        (r.last_error ? ` (${String(r.last_error).slice(0, 200)})` : ''),
    );
    await none(
      'delivery_missing',
      `SELECT o.id, o.type, c.name FROM platform.outbox o
         JOIN platform.consumers c ON c.event_type = o.type AND c.event_version = o.version
        WHERE o.dispatched_at IS NOT NULL AND c.registered_at <= o.dispatched_at
          AND NOT EXISTS (SELECT 1 FROM platform.inbox i WHERE i.event_id = o.id AND i.consumer = c.name)`,
      (r) => `${r.type} ${r.id} never reached ${r.name}`,
    );

    await none(
      'notification_stuck',
      `SELECT id, channel, status FROM notifications.notifications WHERE status IN ('queued', 'sending')`,
      (r) => `${r.channel} notification ${r.id} is ${r.status}`,
    );

    // Idempotency keys: one effect each.
    await none(
      'order_key_repeated',
      `SELECT customer_id, idempotency_key, count(*)::int n FROM commerce.orders
        GROUP BY customer_id, idempotency_key HAVING count(*) > 1`,
      (r) => `customer ${r.customer_id} key ${r.idempotency_key}: ${r.n} orders`,
    );
    await none(
      'saga_key_repeated',
      `SELECT kind, business_key, count(*)::int n FROM payments.sagas
        GROUP BY kind, business_key HAVING count(*) > 1`,
      (r) => `${r.kind} ${r.business_key}: ${r.n} sagas`,
    );
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  return { ok: problems.length === 0, problems, counts };
}

/**
 * Polls checkInvariants until ok or boundMs passes; throws with the last problems. Returns the ms
 * it took.
 */
export async function awaitInvariants(
  databaseUrl: string,
  { boundMs = 30_000, intervalMs = 250 }: { boundMs?: number; intervalMs?: number } = {},
): Promise<number> {
  const started = Date.now();
  for (;;) {
    let report: InvariantReport | undefined;
    let error: unknown;
    try {
      report = await checkInvariants(databaseUrl);
      if (report.ok) return Date.now() - started;
    } catch (err) {
      // The database may still be coming back: that is not converged either.
      error = err;
    }
    if (Date.now() - started > boundMs) {
      const why = report ? report.problems.join('\n  ') : String(error);
      throw new Error(`invariants still broken after ${boundMs} ms:\n  ${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;
type None = (name: string, sql: string, describe: (r: Row) => string) => Promise<void>;

/** The ledger verifier's checks (src/payments/ledger/verify-ledger.handler.ts), in SQL and here. */
async function checkLedger(q: Query, none: None, problems: string[]): Promise<void> {
  await none(
    'ledger_unbalanced',
    `SELECT currency, sum(debits_posted)::text dp, sum(credits_posted)::text cp,
            sum(debits_pending)::text dpe, sum(credits_pending)::text cpe
       FROM payments.accounts GROUP BY currency
     HAVING sum(debits_posted) <> sum(credits_posted) OR sum(debits_pending) <> sum(credits_pending)`,
    (r) => `${r.currency}: debits ${r.dp}/${r.dpe} ≠ credits ${r.cp}/${r.cpe} (posted/pending)`,
  );
  await none(
    'ledger_negative_balance',
    `SELECT id FROM payments.accounts WHERE debits_must_not_exceed_credits AND debits_posted + debits_pending > credits_posted`,
    (r) => `account ${r.id} has debits above credits`,
  );
  await none(
    'ledger_transfer_entries',
    `SELECT t.id, count(e.id)::int n FROM payments.transfers t LEFT JOIN payments.entries e ON e.transfer_id = t.id
      GROUP BY t.id HAVING count(e.id) <> 2 OR count(DISTINCT e.side) <> 2
     UNION ALL
     SELECT e.transfer_id, count(*)::int FROM payments.entries e LEFT JOIN payments.transfers t ON t.id = e.transfer_id
      WHERE t.id IS NULL GROUP BY e.transfer_id`,
    (r) => `transfer ${r.id} has ${r.n} entries instead of one debit and one credit`,
  );
  await none(
    'ledger_transfer_entries',
    `SELECT DISTINCT e.transfer_id FROM payments.entries e JOIN payments.transfers t ON t.id = e.transfer_id
      WHERE e.amount <> t.amount OR e.transfer_kind <> t.kind
         OR (e.side = 'debit' AND e.account_id <> t.debit_account_id)
         OR (e.side = 'credit' AND e.account_id <> t.credit_account_id)`,
    (r) => `transfer ${r.transfer_id} disagrees with its entries`,
  );
  await none(
    'ledger_bad_resolution',
    `SELECT r.id FROM payments.transfers r LEFT JOIN payments.transfers p ON p.id = r.pending_id
      WHERE r.pending_id IS NOT NULL
        AND (p.id IS NULL OR p.kind <> 'pending' OR p.debit_account_id <> r.debit_account_id
             OR p.credit_account_id <> r.credit_account_id OR r.amount > p.amount)`,
    (r) => `transfer ${r.id} resolves something that is not a matching hold`,
  );
  await none(
    'ledger_pending_mismatch',
    `WITH open AS (
       SELECT p.* FROM payments.transfers p
        WHERE p.kind = 'pending' AND NOT EXISTS (SELECT 1 FROM payments.transfers r WHERE r.pending_id = p.id))
     SELECT a.id FROM payments.accounts a
      WHERE a.debits_pending <> COALESCE((SELECT sum(amount) FROM open WHERE debit_account_id = a.id), 0)
         OR a.credits_pending <> COALESCE((SELECT sum(amount) FROM open WHERE credit_account_id = a.id), 0)`,
    (r) => `account ${r.id}: pending balances differ from its open holds`,
  );

  // Hash chains: every entry links to the one before and hashes its own contents; the last one's
  // running balances, version and hash are the account row's.
  const accounts = await q(
    `SELECT id, version::text, head_hash, debits_posted::text dp, credits_posted::text cp,
            debits_pending::text dpe, credits_pending::text cpe FROM payments.accounts ORDER BY id`,
  );
  for (const a of accounts) {
    let prev = { hash: '', version: 0n, balances: '0/0/0/0' };
    let broken = '';
    for (let after = '0'; !broken;) {
      const page = await q(
        // bigint columns arrive as strings (pg's default), as the app hashed them.
        `SELECT account_id, version, transfer_id, transfer_kind, side, amount,
                debits_posted, credits_posted, debits_pending, credits_pending,
                prev_hash, hash, created_at
           FROM payments.entries WHERE account_id = $1 AND version > $2 ORDER BY version LIMIT 1000`,
        [a.id, after],
      );
      if (page.length === 0) break;
      for (const e of page) {
        const recomputed = createHash('sha256')
          .update(
            JSON.stringify([
              e.account_id,
              e.version,
              e.transfer_id,
              e.transfer_kind,
              e.side,
              e.amount,
              e.debits_posted,
              e.credits_posted,
              e.debits_pending,
              e.credits_pending,
              new Date(e.created_at).toISOString(),
              e.prev_hash,
            ]),
          )
          .digest('hex');
        if (BigInt(e.version) !== prev.version + 1n) broken = `version gap after ${prev.version}`;
        else if (e.prev_hash !== prev.hash) broken = `entry ${e.version} does not link back`;
        else if (recomputed !== e.hash) broken = `entry ${e.version} does not match its hash`;
        if (broken) break;
        prev = {
          hash: e.hash,
          version: BigInt(e.version),
          balances: [e.debits_posted, e.credits_posted, e.debits_pending, e.credits_pending].join(
            '/',
          ),
        };
      }
      after = page[page.length - 1]!.version;
    }
    const row = [a.dp, a.cp, a.dpe, a.cpe].join('/');
    if (broken) problems.push(`ledger_chain_broken: account ${a.id}: ${broken}`);
    else if (
      row !== prev.balances ||
      a.head_hash !== prev.hash ||
      BigInt(a.version) !== prev.version
    )
      problems.push(
        `ledger_balance_mismatch: account ${a.id}: balances ${row} do not match its entries (${prev.balances})`,
      );
  }
}
