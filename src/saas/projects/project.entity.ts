/** Rows of the tenant data tables (pool: the platform database; silo: the tenant's own). */
export interface ProjectRow {
  tenant_id: string;
  id: string;
  name: string;
  description: string;
  status: 'active' | 'archived';
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export type TaskStatus = 'todo' | 'in_progress' | 'done';
export const TASK_STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'done'];

export interface TaskRow {
  tenant_id: string;
  id: string;
  project_id: string;
  title: string;
  description: string;
  status: TaskStatus;
  assignee_id: string | null;
  /** `YYYY-MM-DD` (pg's date type is read as text). */
  due_date: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface CommentRow {
  tenant_id: string;
  id: string;
  task_id: string;
  author_id: string;
  body: string;
  created_at: Date;
}
