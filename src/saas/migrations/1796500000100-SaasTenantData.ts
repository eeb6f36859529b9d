import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ensureTenantRole, TENANT_ROLE } from '@app/platform';
import { tenantTable } from './rls.js';

/**
 * The tenants' own data, the core service's projects, tasks and comments: in the platform
 * database for pool tenants, and alone in each silo tenant's database (this is the migration a
 * silo is created and upgraded with), under the same row-level security in both. No service
 * policy: only a tenant transaction, as its tenant, reads or writes these rows.
 */
export class SaasTenantData1796500000100 implements MigrationInterface {
  name = 'SaasTenantData1796500000100';

  async up(q: QueryRunner): Promise<void> {
    await ensureTenantRole(q);
    await q.query(`CREATE SCHEMA IF NOT EXISTS saas`);
    await q.query(`GRANT USAGE ON SCHEMA saas TO ${TENANT_ROLE}`);
    await q.query(`CREATE TABLE saas.projects (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, name)
    )`);
    await q.query(`CREATE INDEX projects_list ON saas.projects (tenant_id, status, id)`);
    await tenantTable(q, 'saas.projects', 'SELECT, INSERT, UPDATE, DELETE');
    await q.query(`CREATE TABLE saas.tasks (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL,
      project_id uuid NOT NULL,
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done')),
      assignee_id uuid,
      due_date date,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, project_id) REFERENCES saas.projects (tenant_id, id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE INDEX tasks_list ON saas.tasks (tenant_id, project_id, id)`);
    await q.query(`CREATE INDEX tasks_by_assignee ON saas.tasks (tenant_id, assignee_id, id)`);
    await tenantTable(q, 'saas.tasks', 'SELECT, INSERT, UPDATE, DELETE');
    await q.query(`CREATE TABLE saas.comments (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL,
      task_id uuid NOT NULL,
      author_id uuid NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, task_id) REFERENCES saas.tasks (tenant_id, id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE INDEX comments_list ON saas.comments (tenant_id, task_id, id)`);
    await tenantTable(q, 'saas.comments', 'SELECT, INSERT, DELETE');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE saas.comments, saas.tasks, saas.projects`);
  }
}
