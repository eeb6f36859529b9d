import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import {
  decodeCursor,
  Tenancy,
  TenantTransactions,
  toPage,
  type CurrentTenantInfo,
  type Principal,
} from '@app/platform';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { SaasError } from '../saas.error.js';
import { findProject } from './project-handlers.js';
import type { CommentRow, TaskRow } from './project.entity.js';
import {
  toCommentView,
  toTaskView,
  type CommentPage,
  type CommentView,
  type CreateCommentRequest,
  type CreateTaskRequest,
  type TaskListQuery,
  type TaskPage,
  type TaskView,
  type UpdateTaskRequest,
} from './projects.dto.js';
import type { PageQuery } from '@app/platform';

/** pg reads `date` as a local-time Date; the API speaks calendar dates. */
const TASK = `tenant_id, id, project_id, title, description, status, assignee_id,
  due_date::text AS due_date, created_by, created_at, updated_at`;

export async function findTask(manager: EntityManager, id: string, lock = false): Promise<TaskRow> {
  const [row] = await manager.query<TaskRow[]>(
    `SELECT ${TASK} FROM saas.tasks WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  if (!row) throw new SaasError('saas.task_not_found', `No task ${id} in this tenant.`);
  return row;
}

/** An assignee must be a member of the tenant (memberships live in the platform database). */
async function checkAssignee(
  tenancy: Tenancy,
  tenantId: string,
  assigneeId: string | null | undefined,
) {
  if (!assigneeId) return;
  if (!(await tenancy.roleOf(tenantId, assigneeId))) {
    throw new SaasError(
      'saas.assignee_not_member',
      `${assigneeId} is not a member of this tenant.`,
      {
        errors: [{ field: 'assigneeId', messages: ['is not a member of this tenant'] }],
      },
    );
  }
}

export class CreateTask extends Command<TaskView> {
  constructor(
    readonly caller: Principal,
    readonly tenant: CurrentTenantInfo,
    readonly projectId: string,
    readonly body: CreateTaskRequest,
  ) {
    super();
  }
}

@CommandHandler(CreateTask)
export class CreateTaskHandler implements ICommandHandler<CreateTask> {
  constructor(
    private readonly tenantTx: TenantTransactions,
    private readonly tenancy: Tenancy,
  ) {}

  async execute({ caller, tenant, projectId, body }: CreateTask): Promise<TaskView> {
    return this.tenantTx.run(async ({ manager }) => {
      await findProject(manager, projectId);
      await checkAssignee(this.tenancy, tenant.id, body.assigneeId);
      const [row] = await manager.query<TaskRow[]>(
        `INSERT INTO saas.tasks (tenant_id, id, project_id, title, description, status, assignee_id, due_date, created_by)
         VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${TASK}`,
        [
          uuidv7(),
          projectId,
          body.title,
          body.description ?? '',
          body.status ?? 'todo',
          body.assigneeId ?? null,
          body.dueDate ?? null,
          caller.userId,
        ],
      );
      return toTaskView(row!);
    });
  }
}

export class ListTasks extends Query<TaskPage> {
  constructor(
    readonly projectId: string,
    readonly query: TaskListQuery,
  ) {
    super();
  }
}

/** A project's tasks, newest first, filtered by status, assignee and due date. */
@QueryHandler(ListTasks)
export class ListTasksHandler implements IQueryHandler<ListTasks> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  execute({ projectId, query }: ListTasks): Promise<TaskPage> {
    const after = decodeCursor<{ id: string }>(query.cursor, { id: 'uuid' });
    return this.tenantTx.run(async ({ manager }) => {
      await findProject(manager, projectId);
      const rows = await manager.query<TaskRow[]>(
        `SELECT ${TASK} FROM saas.tasks
          WHERE project_id = $1
            AND ($2::text IS NULL OR status = $2)
            AND ($3::uuid IS NULL OR assignee_id = $3)
            AND ($4::date IS NULL OR due_date <= $4)
            AND ($5::uuid IS NULL OR id < $5)
          ORDER BY id DESC LIMIT $6`,
        [
          projectId,
          query.status ?? null,
          query.assigneeId ?? null,
          query.dueBefore ?? null,
          after?.id ?? null,
          query.limit + 1,
        ],
      );
      return toPage(rows, query.limit, toTaskView, (r) => ({ id: r.id }));
    });
  }
}

export class GetTask extends Query<TaskView> {
  constructor(readonly id: string) {
    super();
  }
}

@QueryHandler(GetTask)
export class GetTaskHandler implements IQueryHandler<GetTask> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  execute({ id }: GetTask): Promise<TaskView> {
    return this.tenantTx.run(async ({ manager }) => toTaskView(await findTask(manager, id)));
  }
}

export class UpdateTask extends Command<TaskView> {
  constructor(
    readonly tenant: CurrentTenantInfo,
    readonly id: string,
    readonly body: UpdateTaskRequest,
  ) {
    super();
  }
}

@CommandHandler(UpdateTask)
export class UpdateTaskHandler implements ICommandHandler<UpdateTask> {
  constructor(
    private readonly tenantTx: TenantTransactions,
    private readonly tenancy: Tenancy,
  ) {}

  async execute({ tenant, id, body }: UpdateTask): Promise<TaskView> {
    return this.tenantTx.run(async ({ manager }) => {
      await findTask(manager, id, true);
      await checkAssignee(this.tenancy, tenant.id, body.assigneeId);
      const [[row]] = await manager.query<[TaskRow[], number]>(
        `UPDATE saas.tasks SET
            title = COALESCE($2, title),
            description = COALESCE($3, description),
            status = COALESCE($4, status),
            assignee_id = CASE WHEN $5 THEN $6::uuid ELSE assignee_id END,
            due_date = CASE WHEN $7 THEN $8::date ELSE due_date END,
            updated_at = now()
          WHERE id = $1 RETURNING ${TASK}`,
        [
          id,
          body.title ?? null,
          body.description ?? null,
          body.status ?? null,
          body.assigneeId !== undefined,
          body.assigneeId ?? null,
          body.dueDate !== undefined,
          body.dueDate ?? null,
        ],
      );
      return toTaskView(row!);
    });
  }
}

export class DeleteTask extends Command<void> {
  constructor(readonly id: string) {
    super();
  }
}

@CommandHandler(DeleteTask)
export class DeleteTaskHandler implements ICommandHandler<DeleteTask> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  async execute({ id }: DeleteTask): Promise<void> {
    await this.tenantTx.run(async ({ manager }) => {
      await findTask(manager, id, true);
      await manager.query(`DELETE FROM saas.tasks WHERE id = $1`, [id]);
    });
  }
}

export class AddComment extends Command<CommentView> {
  constructor(
    readonly caller: Principal,
    readonly taskId: string,
    readonly body: CreateCommentRequest,
  ) {
    super();
  }
}

@CommandHandler(AddComment)
export class AddCommentHandler implements ICommandHandler<AddComment> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  execute({ caller, taskId, body }: AddComment): Promise<CommentView> {
    return this.tenantTx.run(async ({ manager }) => {
      await findTask(manager, taskId);
      const [row] = await manager.query<CommentRow[]>(
        `INSERT INTO saas.comments (tenant_id, id, task_id, author_id, body)
         VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4) RETURNING *`,
        [uuidv7(), taskId, caller.userId, body.body],
      );
      return toCommentView(row!);
    });
  }
}

export class ListComments extends Query<CommentPage> {
  constructor(
    readonly taskId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

/** Oldest first (a conversation), by cursor. */
@QueryHandler(ListComments)
export class ListCommentsHandler implements IQueryHandler<ListComments> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  execute({ taskId, page }: ListComments): Promise<CommentPage> {
    const after = decodeCursor<{ id: string }>(page.cursor, { id: 'uuid' });
    return this.tenantTx.run(async ({ manager }) => {
      await findTask(manager, taskId);
      const rows = await manager.query<CommentRow[]>(
        `SELECT * FROM saas.comments WHERE task_id = $1 AND ($2::uuid IS NULL OR id > $2)
          ORDER BY id LIMIT $3`,
        [taskId, after?.id ?? null, page.limit + 1],
      );
      return toPage(rows, page.limit, toCommentView, (r) => ({ id: r.id }));
    });
  }
}
