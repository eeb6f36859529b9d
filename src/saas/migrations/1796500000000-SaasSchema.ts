import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_ROLE } from '@app/platform';
import { tenantTable } from './rls.js';

/**
 * The saas schema's platform-database tables: tenants (the Tenant Config DB), members and
 * invitations, meters, raw usage events, hourly rollups and invoices. Every table with a
 * `tenant_id` has it first in its primary key, its foreign keys and its unique keys (a key
 * check bypasses RLS: scoped by tenant, it cannot point into, or reveal, another tenant's
 * rows) and is under row-level security. Tenant data (projects, tasks) is SaasTenantData's.
 */
export class SaasSchema1796500000000 implements MigrationInterface {
  name = 'SaasSchema1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS saas`);
    await q.query(`GRANT USAGE ON SCHEMA saas TO ${TENANT_ROLE}`);
    await q.query(`CREATE TABLE saas.tenants (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      slug text NOT NULL UNIQUE,
      plan text NOT NULL CHECK (plan IN ('free', 'pro', 'enterprise')),
      isolation text NOT NULL CHECK (isolation IN ('pool', 'silo')),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
      suspended_reason text,
      database text UNIQUE,
      features jsonb NOT NULL DEFAULT '{}',
      owner_id uuid NOT NULL,
      billing_card_token text,
      moving boolean NOT NULL DEFAULT false,
      -- Usage before this instant is invoiced (final): events for it are refused.
      billed_through timestamptz NOT NULL DEFAULT '-infinity',
      -- The start of its first billing period (the period it was created in).
      billing_starts_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((isolation = 'silo') = (database IS NOT NULL) OR moving)
    )`);
    // Who is who, from identity's user-registered events: invitations go to emails.
    await q.query(`CREATE TABLE saas.users (
      user_id uuid PRIMARY KEY,
      email text NOT NULL,
      display_name text NOT NULL
    )`);
    await q.query(`CREATE INDEX users_by_email ON saas.users (lower(email))`);
    await q.query(`CREATE TABLE saas.members (
      tenant_id uuid NOT NULL REFERENCES saas.tenants (id) ON DELETE CASCADE,
      user_id uuid NOT NULL,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
      email text,
      joined_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, user_id)
    )`);
    await q.query(`CREATE INDEX members_by_user ON saas.members (user_id, tenant_id)`);
    await tenantTable(q, 'saas.members', 'SELECT', { service: true });
    await q.query(`CREATE TABLE saas.invitations (
      tenant_id uuid NOT NULL REFERENCES saas.tenants (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'member')),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked')),
      invited_by uuid NOT NULL,
      accepted_by uuid,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id)
    )`);
    await q.query(`CREATE UNIQUE INDEX invitations_one_pending
      ON saas.invitations (tenant_id, lower(email)) WHERE status = 'pending'`);
    await tenantTable(q, 'saas.invitations', 'SELECT', { service: true });

    await q.query(`CREATE TABLE saas.meters (
      tenant_id uuid NOT NULL REFERENCES saas.tenants (id) ON DELETE CASCADE,
      key text NOT NULL,
      name text NOT NULL,
      aggregation text NOT NULL CHECK (aggregation IN ('sum', 'count', 'max', 'unique_count')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, key)
    )`);
    await tenantTable(q, 'saas.meters', 'SELECT, INSERT', { service: true });
    // Raw usage: durable before the 202, one row per (tenant, client event id).
    await q.query(`CREATE TABLE saas.usage_events (
      tenant_id uuid NOT NULL,
      event_id text NOT NULL,
      meter text NOT NULL,
      value bigint NOT NULL,
      subject text,
      occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, event_id)
    )`);
    await q.query(
      `CREATE INDEX usage_events_by_hour ON saas.usage_events (tenant_id, meter, occurred_at)`,
    );
    await q.query(`CREATE INDEX usage_events_by_arrival ON saas.usage_events (received_at)`);
    await tenantTable(q, 'saas.usage_events', 'SELECT', { service: true });
    await q.query(`CREATE TABLE saas.usage_hourly (
      tenant_id uuid NOT NULL,
      meter text NOT NULL,
      hour timestamptz NOT NULL,
      value bigint NOT NULL,
      events integer NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, meter, hour)
    )`);
    await tenantTable(q, 'saas.usage_hourly', 'SELECT', { service: true });
    // The rollup's progress: events received before `received_before` are folded.
    await q.query(`CREATE TABLE saas.rollup_watermark (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      received_before timestamptz NOT NULL
    )`);
    await q.query(`INSERT INTO saas.rollup_watermark (received_before) VALUES ('-infinity')`);

    await q.query(`CREATE TABLE saas.invoices (
      tenant_id uuid NOT NULL REFERENCES saas.tenants (id),
      id uuid NOT NULL,
      number text NOT NULL,
      period_start timestamptz NOT NULL,
      period_end timestamptz NOT NULL,
      plan text NOT NULL,
      status text NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'past_due', 'void')),
      currency text NOT NULL,
      subtotal bigint NOT NULL,
      total bigint NOT NULL,
      version integer NOT NULL DEFAULT 1,
      finalizes_at timestamptz NOT NULL,
      finalized_at timestamptz,
      paid_at timestamptz,
      payment_attempts integer NOT NULL DEFAULT 0,
      next_payment_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, period_start),
      UNIQUE (tenant_id, number)
    )`);
    await q.query(
      `CREATE INDEX invoices_to_finalize ON saas.invoices (finalizes_at) WHERE status = 'draft'`,
    );
    await tenantTable(q, 'saas.invoices', 'SELECT', { service: true });
    await q.query(`CREATE TABLE saas.invoice_lines (
      tenant_id uuid NOT NULL,
      invoice_id uuid NOT NULL,
      position integer NOT NULL,
      kind text NOT NULL CHECK (kind IN ('flat', 'usage')),
      meter text,
      description text NOT NULL,
      quantity bigint NOT NULL,
      unit_amount bigint NOT NULL,
      amount bigint NOT NULL,
      PRIMARY KEY (tenant_id, invoice_id, position),
      FOREIGN KEY (tenant_id, invoice_id) REFERENCES saas.invoices (tenant_id, id) ON DELETE CASCADE
    )`);
    await tenantTable(q, 'saas.invoice_lines', 'SELECT', { service: true });
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA saas CASCADE`);
  }
}
