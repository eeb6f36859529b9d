import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentTenant,
  CurrentUser,
  PageQuery,
  TenantScoped,
  UuidParam,
  type CurrentTenantInfo,
  type Principal,
} from '@app/platform';
import { SAAS_ERRORS } from '../saas.error.js';
import {
  CreateProject,
  DeleteProject,
  GetProject,
  ListProjects,
  UpdateProject,
} from './project-handlers.js';
import {
  CommentPage,
  CommentView,
  CreateCommentRequest,
  CreateProjectRequest,
  CreateTaskRequest,
  ProjectListQuery,
  ProjectPage,
  ProjectView,
  TaskListQuery,
  TaskPage,
  TaskView,
  UpdateProjectRequest,
  UpdateTaskRequest,
} from './projects.dto.js';
import {
  AddComment,
  CreateTask,
  DeleteTask,
  GetTask,
  ListComments,
  ListTasks,
  UpdateTask,
} from './task-handlers.js';

const SCOPED = `Runs in the current tenant (the access token's tenant, or \`X-Tenant-ID\`), \
under its row-level security: another tenant's ids answer 404, exactly as ids that do not exist.`;

/** The core service tenants pay for: projects, their tasks, and the tasks' comments. */
@ApiTags('saas')
@Controller('v1/saas')
@Authenticated()
@TenantScoped()
export class ProjectsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('projects')
  @ApiOperation({
    summary: 'Create a project',
    description: `Any member. Names are unique in a tenant. ${SCOPED}`,
  })
  @ApiCreatedResponse({ type: ProjectView })
  @ApiProblems(SAAS_ERRORS, ['saas.project_name_taken'], { validated: true })
  createProject(
    @CurrentUser() user: Principal,
    @Body() body: CreateProjectRequest,
  ): Promise<ProjectView> {
    return this.commands.execute(new CreateProject(user, body));
  }

  @Get('projects')
  @ApiOperation({
    summary: 'The tenant’s projects',
    description: `Newest first, by cursor. ${SCOPED}`,
  })
  @ApiOkResponse({ type: ProjectPage })
  @ApiProblems(SAAS_ERRORS, [], { validated: true })
  listProjects(@Query() query: ProjectListQuery): Promise<ProjectPage> {
    return this.queries.execute(new ListProjects(query));
  }

  @Get('projects/:id')
  @ApiOperation({ summary: 'A project of the tenant', description: SCOPED })
  @ApiOkResponse({ type: ProjectView })
  @ApiProblems(SAAS_ERRORS, ['saas.project_not_found'])
  getProject(@UuidParam('id', 'The project id') id: string): Promise<ProjectView> {
    return this.queries.execute(new GetProject(id));
  }

  @Patch('projects/:id')
  @ApiOperation({
    summary: 'Change a project (name, description, archive)',
    description: `Any member. ${SCOPED}`,
  })
  @ApiOkResponse({ type: ProjectView })
  @ApiProblems(SAAS_ERRORS, ['saas.project_not_found', 'saas.project_name_taken'], {
    validated: true,
  })
  updateProject(
    @UuidParam('id', 'The project id') id: string,
    @Body() body: UpdateProjectRequest,
  ): Promise<ProjectView> {
    return this.commands.execute(new UpdateProject(id, body));
  }

  @Delete('projects/:id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a project with its tasks',
    description: `Owners and admins. ${SCOPED}`,
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(SAAS_ERRORS, ['saas.project_not_found', 'saas.not_tenant_admin'])
  deleteProject(
    @CurrentTenant() tenant: CurrentTenantInfo,
    @UuidParam('id', 'The project id') id: string,
  ): Promise<void> {
    return this.commands.execute(new DeleteProject(tenant, id));
  }

  @Post('projects/:id/tasks')
  @ApiOperation({
    summary: 'Add a task to a project',
    description: `Any member; the assignee must be a member. ${SCOPED}`,
  })
  @ApiCreatedResponse({ type: TaskView })
  @ApiProblems(SAAS_ERRORS, ['saas.project_not_found', 'saas.assignee_not_member'], {
    validated: true,
  })
  createTask(
    @CurrentUser() user: Principal,
    @CurrentTenant() tenant: CurrentTenantInfo,
    @UuidParam('id', 'The project id') id: string,
    @Body() body: CreateTaskRequest,
  ): Promise<TaskView> {
    return this.commands.execute(new CreateTask(user, tenant, id, body));
  }

  @Get('projects/:id/tasks')
  @ApiOperation({
    summary: 'A project’s tasks',
    description: `Newest first, by cursor; filter by status, assignee and due date. ${SCOPED}`,
  })
  @ApiOkResponse({ type: TaskPage })
  @ApiProblems(SAAS_ERRORS, ['saas.project_not_found'], { validated: true })
  listTasks(
    @UuidParam('id', 'The project id') id: string,
    @Query() query: TaskListQuery,
  ): Promise<TaskPage> {
    return this.queries.execute(new ListTasks(id, query));
  }

  @Get('tasks/:id')
  @ApiOperation({ summary: 'A task, with its status and assignee', description: SCOPED })
  @ApiOkResponse({ type: TaskView })
  @ApiProblems(SAAS_ERRORS, ['saas.task_not_found'])
  getTask(@UuidParam('id', 'The task id') id: string): Promise<TaskView> {
    return this.queries.execute(new GetTask(id));
  }

  @Patch('tasks/:id')
  @ApiOperation({
    summary: 'Change a task (title, status, assignee, due date)',
    description: `Any member; \`null\` clears the assignee or the due date. ${SCOPED}`,
  })
  @ApiOkResponse({ type: TaskView })
  @ApiProblems(SAAS_ERRORS, ['saas.task_not_found', 'saas.assignee_not_member'], {
    validated: true,
  })
  updateTask(
    @CurrentTenant() tenant: CurrentTenantInfo,
    @UuidParam('id', 'The task id') id: string,
    @Body() body: UpdateTaskRequest,
  ): Promise<TaskView> {
    return this.commands.execute(new UpdateTask(tenant, id, body));
  }

  @Delete('tasks/:id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a task with its comments',
    description: `Any member. ${SCOPED}`,
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(SAAS_ERRORS, ['saas.task_not_found'])
  deleteTask(@UuidParam('id', 'The task id') id: string): Promise<void> {
    return this.commands.execute(new DeleteTask(id));
  }

  @Post('tasks/:id/comments')
  @ApiOperation({ summary: 'Comment on a task', description: SCOPED })
  @ApiCreatedResponse({ type: CommentView })
  @ApiProblems(SAAS_ERRORS, ['saas.task_not_found'], { validated: true })
  addComment(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The task id') id: string,
    @Body() body: CreateCommentRequest,
  ): Promise<CommentView> {
    return this.commands.execute(new AddComment(user, id, body));
  }

  @Get('tasks/:id/comments')
  @ApiOperation({ summary: 'A task’s comments', description: `Oldest first, by cursor. ${SCOPED}` })
  @ApiOkResponse({ type: CommentPage })
  @ApiProblems(SAAS_ERRORS, ['saas.task_not_found'], { validated: true })
  listComments(
    @UuidParam('id', 'The task id') id: string,
    @Query() page: PageQuery,
  ): Promise<CommentPage> {
    return this.queries.execute(new ListComments(id, page));
  }
}
