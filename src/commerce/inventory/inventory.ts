import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { OrderLine } from '../orders/order.entity.js';
import type { InventoryRow } from './inventory-item.entity.js';
import type { MovementReason } from './stock-movement.entity.js';

export type ReserveResult = { ok: true } | { ok: false; reason: 'insufficient'; skus: string[] };

/** Quantities summed per sku, sorted by sku (the lock order). */
function perSku(lines: Pick<OrderLine, 'sku' | 'quantity'>[]): {
  skus: string[];
  quantities: number[];
} {
  const sums = new Map<string, number>();
  for (const l of lines) sums.set(l.sku, (sums.get(l.sku) ?? 0) + l.quantity);
  const skus = [...sums.keys()].sort();
  return { skus, quantities: skus.map((s) => sums.get(s)!) };
}

/**
 * Stock, in PostgreSQL only (every read of it — stock, search, checkout — is a SQL join, so a
 * cached copy would have no reader). Order-driven changes are idempotent per (order, sku,
 * reason) through stock_movements.
 */
@Injectable()
export class Inventory {
  /**
   * Holds stock for every line, or for none (at checkout, before any payment). Rows are locked
   * in sku order first, so two orders with overlapping skus cannot deadlock; then one statement
   * finds the lines short of stock and, only if there are none, holds every line — with the rows
   * locked, concurrent checkouts can never oversell: the last unit goes to exactly one of them.
   */
  async reserve(
    manager: EntityManager,
    orderId: string,
    lines: OrderLine[],
  ): Promise<ReserveResult> {
    const [done] = await manager.query<unknown[]>(
      `SELECT 1 FROM commerce.stock_movements WHERE order_id = $1 AND reason = 'reserve' LIMIT 1`,
      [orderId],
    );
    if (done) return { ok: true };
    const { skus, quantities } = perSku(lines);
    await manager.query(
      `SELECT sku FROM commerce.inventory WHERE sku = ANY($1) ORDER BY sku FOR UPDATE`,
      [skus],
    );
    // A data-modifying WITH runs whether or not the outer query reads it.
    const short = await manager.query<{ sku: string }[]>(
      `WITH wanted AS (SELECT * FROM unnest($1::text[], $2::int[]) AS w(sku, q)),
            short AS (SELECT w.sku FROM wanted w LEFT JOIN commerce.inventory i ON i.sku = w.sku
                       WHERE i.sku IS NULL OR i.on_hand - i.reserved < w.q),
            held AS (UPDATE commerce.inventory i SET reserved = i.reserved + w.q, updated_at = now()
                       FROM wanted w WHERE i.sku = w.sku AND NOT EXISTS (SELECT 1 FROM short))
       SELECT sku FROM short ORDER BY sku`,
      [skus, quantities],
    );
    if (short.length) return { ok: false, reason: 'insufficient', skus: short.map((r) => r.sku) };
    await this.record(
      manager,
      orderId,
      'reserve',
      skus,
      quantities.map(() => 0),
      quantities,
    );
    return { ok: true };
  }

  /** Reserved → shipped: on_hand and reserved both drop. Once per order. */
  async commit(manager: EntityManager, orderId: string, lines: OrderLine[]): Promise<boolean> {
    const { skus, quantities } = perSku(lines);
    if (
      !(await this.record(
        manager,
        orderId,
        'commit',
        skus,
        quantities.map((q) => -q),
        quantities.map((q) => -q),
      ))
    )
      return false;
    await manager.query(
      `UPDATE commerce.inventory i SET on_hand = i.on_hand - w.q, reserved = i.reserved - w.q, updated_at = now()
         FROM unnest($1::text[], $2::int[]) AS w(sku, q) WHERE i.sku = w.sku`,
      [skus, quantities],
    );
    return true;
  }

  /**
   * Gives back a reservation that will not ship (payment failed, timeout). Once per order, only
   * if reserved and not shipped.
   */
  async release(manager: EntityManager, orderId: string, lines: OrderLine[]): Promise<boolean> {
    const [held] = await manager.query<unknown[]>(
      `SELECT 1 FROM commerce.stock_movements WHERE order_id = $1 AND reason = 'reserve'
        AND NOT EXISTS (SELECT 1 FROM commerce.stock_movements WHERE order_id = $1 AND reason = 'commit') LIMIT 1`,
      [orderId],
    );
    if (!held) return false;
    const { skus, quantities } = perSku(lines);
    if (
      !(await this.record(
        manager,
        orderId,
        'release',
        skus,
        quantities.map(() => 0),
        quantities.map((q) => -q),
      ))
    )
      return false;
    await manager.query(
      `UPDATE commerce.inventory i SET reserved = i.reserved - w.q, updated_at = now()
         FROM unnest($1::text[], $2::int[]) AS w(sku, q) WHERE i.sku = w.sku`,
      [skus, quantities],
    );
    return true;
  }

  /** A cancelled shipment comes back on the shelf. Once per order. */
  async restock(manager: EntityManager, orderId: string, lines: OrderLine[]): Promise<boolean> {
    const { skus, quantities } = perSku(lines);
    if (
      !(await this.record(
        manager,
        orderId,
        'restock',
        skus,
        quantities,
        quantities.map(() => 0),
      ))
    )
      return false;
    await manager.query(
      `UPDATE commerce.inventory i SET on_hand = i.on_hand + w.q, updated_at = now()
         FROM unnest($1::text[], $2::int[]) AS w(sku, q) WHERE i.sku = w.sku`,
      [skus, quantities],
    );
    return true;
  }

  /** Admin count: sets on_hand (never below what is reserved). */
  async adjust(
    manager: EntityManager,
    sku: string,
    onHand: number,
    actorId: string,
  ): Promise<{ ok: true } | { ok: false; reason: 'below_reserved'; reserved: number }> {
    const [row] = await manager.query<Pick<InventoryRow, 'on_hand' | 'reserved'>[]>(
      `SELECT on_hand, reserved FROM commerce.inventory WHERE sku = $1 FOR UPDATE`,
      [sku],
    );
    if (!row) throw new Error(`No inventory row for ${sku}`); // the caller inserted it
    if (row.reserved > onHand)
      return { ok: false, reason: 'below_reserved', reserved: row.reserved };
    await manager.query(
      `UPDATE commerce.inventory SET on_hand = $2, updated_at = now() WHERE sku = $1`,
      [sku, onHand],
    );
    await manager.query(
      `INSERT INTO commerce.stock_movements (id, sku, reason, on_hand_delta, reserved_delta, actor_id) VALUES ($1, $2, 'adjust', $3, 0, $4)`,
      [uuidv7(), sku, onHand - row.on_hand, actorId],
    );
    return { ok: true };
  }

  /** Inserts the movements; false if this order already made this movement (a repeat). */
  private async record(
    manager: EntityManager,
    orderId: string,
    reason: Exclude<MovementReason, 'adjust'>,
    skus: string[],
    onHand: number[],
    reserved: number[],
  ): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO commerce.stock_movements (id, sku, reason, on_hand_delta, reserved_delta, order_id)
       SELECT id, s, $2, h, r, $1 FROM unnest($6::uuid[], $3::text[], $4::int[], $5::int[]) AS m(id, s, h, r)
       ON CONFLICT (order_id, sku, reason) WHERE order_id IS NOT NULL DO NOTHING RETURNING 1`,
      [orderId, reason, skus, onHand, reserved, skus.map(() => uuidv7())],
    );
    return inserted.length === skus.length;
  }
}
