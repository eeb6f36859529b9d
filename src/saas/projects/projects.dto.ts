import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { ContextSchema, PageQuery, OptionalField } from '@app/platform';
import {
  TASK_STATUSES,
  type CommentRow,
  type ProjectRow,
  type TaskRow,
  type TaskStatus,
} from './project.entity.js';

const EXAMPLE_ID = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69';
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const iso = (d: Date) => new Date(d).toISOString();
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A real calendar date (`2027-02-30` is not one). */
const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (v: unknown) =>
        typeof v === 'string' &&
        DATE.test(v) &&
        new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      defaultMessage: () => 'must be a calendar date, YYYY-MM-DD',
    },
  });

@ContextSchema('saas')
export class CreateProjectRequest {
  @ApiProperty({ example: 'Website relaunch', minLength: 1, maxLength: 120 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiPropertyOptional({ example: 'New site by March', maxLength: 2000 })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

@ContextSchema('saas')
export class UpdateProjectRequest {
  @ApiPropertyOptional({ example: 'Website relaunch 2027', minLength: 1, maxLength: 120 })
  @OptionalField()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name?: string;

  @ApiPropertyOptional({ example: 'Moved to April', maxLength: 2000 })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ enum: ['active', 'archived'], example: 'archived' })
  @OptionalField()
  @IsIn(['active', 'archived'])
  status?: 'active' | 'archived';
}

@ContextSchema('saas')
export class ProjectListQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ['active', 'archived'],
    description: 'Only projects in this status',
  })
  @IsOptional()
  @IsIn(['active', 'archived'])
  status?: 'active' | 'archived';
}

@ContextSchema('saas')
export class ProjectView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string;
  @ApiProperty({ example: 'Website relaunch' }) name: string;
  @ApiProperty({ example: 'New site by March' }) description: string;
  @ApiProperty({ enum: ['active', 'archived'], example: 'active' }) status: string;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) createdBy: string;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) createdAt: string;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) updatedAt: string;
}

@ContextSchema('saas')
export class ProjectPage {
  @ApiProperty({ type: [ProjectView] }) items: ProjectView[];
  @ApiProperty({ type: String, nullable: true, example: null }) nextCursor: string | null;
}

@ContextSchema('saas')
export class CreateTaskRequest {
  @ApiProperty({ example: 'Draft the home page', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title: string;

  @ApiPropertyOptional({ example: 'Hero, three sections, footer', maxLength: 5000 })
  @OptionalField()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiPropertyOptional({ enum: TASK_STATUSES, default: 'todo' })
  @OptionalField()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({
    format: 'uuid',
    example: EXAMPLE_ID,
    description: 'A member of the tenant',
  })
  @OptionalField()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({
    example: '2027-01-15',
    pattern: DATE.source,
    maxLength: 10,
    description: 'A calendar date',
  })
  @OptionalField()
  @Matches(DATE)
  @IsCalendarDate()
  dueDate?: string;
}

@ContextSchema('saas')
export class UpdateTaskRequest {
  @ApiPropertyOptional({ example: 'Draft the home page', minLength: 1, maxLength: 200 })
  @OptionalField()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ example: 'Hero and footer only', maxLength: 5000 })
  @OptionalField()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiPropertyOptional({ enum: TASK_STATUSES, example: 'in_progress' })
  @OptionalField()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    example: EXAMPLE_ID,
    description: 'A member of the tenant; null unassigns',
  })
  @IsOptional()
  @IsUUID()
  assigneeId?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2027-01-31',
    pattern: DATE.source,
    maxLength: 10,
  })
  @IsOptional()
  @Matches(DATE)
  @IsCalendarDate()
  dueDate?: string | null;
}

@ContextSchema('saas')
export class TaskListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: TASK_STATUSES, description: 'Only tasks in this status' })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only tasks assigned to this member' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({
    example: '2027-01-31',
    pattern: DATE.source,
    maxLength: 10,
    description: 'Only tasks due on or before this date',
  })
  @IsOptional()
  @Matches(DATE)
  @IsCalendarDate()
  dueBefore?: string;
}

@ContextSchema('saas')
export class TaskView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) projectId: string;
  @ApiProperty({ example: 'Draft the home page' }) title: string;
  @ApiProperty({ example: '' }) description: string;
  @ApiProperty({ enum: TASK_STATUSES, example: 'todo' }) status: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: EXAMPLE_ID }) assigneeId:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: '2027-01-15' }) dueDate: string | null;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) createdBy: string;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) createdAt: string;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) updatedAt: string;
}

@ContextSchema('saas')
export class TaskPage {
  @ApiProperty({ type: [TaskView] }) items: TaskView[];
  @ApiProperty({ type: String, nullable: true, example: null }) nextCursor: string | null;
}

@ContextSchema('saas')
export class CreateCommentRequest {
  @ApiProperty({ example: 'Looks good, ship it.', minLength: 1, maxLength: 5000 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  body: string;
}

@ContextSchema('saas')
export class CommentView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) taskId: string;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) authorId: string;
  @ApiProperty({ example: 'Looks good, ship it.' }) body: string;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) createdAt: string;
}

@ContextSchema('saas')
export class CommentPage {
  @ApiProperty({ type: [CommentView] }) items: CommentView[];
  @ApiProperty({ type: String, nullable: true, example: null }) nextCursor: string | null;
}

export const toProjectView = (r: ProjectRow): ProjectView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  status: r.status,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export const toTaskView = (r: TaskRow): TaskView => ({
  id: r.id,
  projectId: r.project_id,
  title: r.title,
  description: r.description,
  status: r.status,
  assigneeId: r.assignee_id,
  dueDate: r.due_date,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export const toCommentView = (r: CommentRow): CommentView => ({
  id: r.id,
  taskId: r.task_id,
  authorId: r.author_id,
  body: r.body,
  createdAt: iso(r.created_at),
});
