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
  isUniqueViolation,
  TenantTransactions,
  toPage,
  type CurrentTenantInfo,
  type Principal,
} from '@app/platform';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { SaasError } from '../saas.error.js';
import type { ProjectRow } from './project.entity.js';
import {
  toProjectView,
  type CreateProjectRequest,
  type ProjectListQuery,
  type ProjectPage,
  type ProjectView,
  type UpdateProjectRequest,
} from './projects.dto.js';

/** The project in the current tenant (RLS sees no other), or 404. */
export async function findProject(
  manager: EntityManager,
  id: string,
  lock = false,
): Promise<ProjectRow> {
  const [row] = await manager.query<ProjectRow[]>(
    `SELECT * FROM saas.projects WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  if (!row) throw new SaasError('saas.project_not_found', `No project ${id} in this tenant.`);
  return row;
}

function nameTaken(err: unknown, name: string | undefined): never {
  if (isUniqueViolation(err)) {
    throw new SaasError('saas.project_name_taken', `The tenant has a project named "${name}".`, {
      errors: [{ field: 'name', messages: ['is taken in this tenant'] }],
    });
  }
  throw err;
}

export class CreateProject extends Command<ProjectView> {
  constructor(
    readonly caller: Principal,
    readonly body: CreateProjectRequest,
  ) {
    super();
  }
}

/** Every statement below runs in a tenant transaction: `tenant_id` comes from the setting. */
@CommandHandler(CreateProject)
export class CreateProjectHandler implements ICommandHandler<CreateProject> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  async execute({ caller, body }: CreateProject): Promise<ProjectView> {
    try {
      return await this.tenantTx.run(async ({ manager }) => {
        const [row] = await manager.query<ProjectRow[]>(
          `INSERT INTO saas.projects (tenant_id, id, name, description, created_by)
           VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4) RETURNING *`,
          [uuidv7(), body.name, body.description ?? '', caller.userId],
        );
        return toProjectView(row!);
      });
    } catch (err) {
      nameTaken(err, body.name);
    }
  }
}

export class ListProjects extends Query<ProjectPage> {
  constructor(readonly query: ProjectListQuery) {
    super();
  }
}

/** Newest first, by cursor; no `WHERE tenant_id`: the policy is the filter. */
@QueryHandler(ListProjects)
export class ListProjectsHandler implements IQueryHandler<ListProjects> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  execute({ query }: ListProjects): Promise<ProjectPage> {
    const after = decodeCursor<{ id: string }>(query.cursor, { id: 'uuid' });
    return this.tenantTx.run(async ({ manager }) => {
      const rows = await manager.query<ProjectRow[]>(
        `SELECT * FROM saas.projects
          WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR id < $2)
          ORDER BY id DESC LIMIT $3`,
        [query.status ?? null, after?.id ?? null, query.limit + 1],
      );
      return toPage(rows, query.limit, toProjectView, (r) => ({ id: r.id }));
    });
  }
}

export class GetProject extends Query<ProjectView> {
  constructor(readonly id: string) {
    super();
  }
}

@QueryHandler(GetProject)
export class GetProjectHandler implements IQueryHandler<GetProject> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  execute({ id }: GetProject): Promise<ProjectView> {
    return this.tenantTx.run(async ({ manager }) => toProjectView(await findProject(manager, id)));
  }
}

export class UpdateProject extends Command<ProjectView> {
  constructor(
    readonly id: string,
    readonly body: UpdateProjectRequest,
  ) {
    super();
  }
}

@CommandHandler(UpdateProject)
export class UpdateProjectHandler implements ICommandHandler<UpdateProject> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  async execute({ id, body }: UpdateProject): Promise<ProjectView> {
    try {
      return await this.tenantTx.run(async ({ manager }) => {
        await findProject(manager, id, true);
        const [[row]] = await manager.query<[ProjectRow[], number]>(
          `UPDATE saas.projects SET name = COALESCE($2, name), description = COALESCE($3, description),
                  status = COALESCE($4, status), updated_at = now()
            WHERE id = $1 RETURNING *`,
          [id, body.name ?? null, body.description ?? null, body.status ?? null],
        );
        return toProjectView(row!);
      });
    } catch (err) {
      nameTaken(err, body.name);
    }
  }
}

export class DeleteProject extends Command<void> {
  constructor(
    readonly tenant: CurrentTenantInfo,
    readonly id: string,
  ) {
    super();
  }
}

/** Owners and admins delete a project, with its tasks and their comments. */
@CommandHandler(DeleteProject)
export class DeleteProjectHandler implements ICommandHandler<DeleteProject> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  async execute({ tenant, id }: DeleteProject): Promise<void> {
    if (tenant.role !== 'owner' && tenant.role !== 'admin') {
      throw new SaasError('saas.not_tenant_admin', 'Only owners and admins delete projects.', {
        role: tenant.role,
      });
    }
    await this.tenantTx.run(async ({ manager }) => {
      await findProject(manager, id, true);
      await manager.query(`DELETE FROM saas.projects WHERE id = $1`, [id]);
    });
  }
}
