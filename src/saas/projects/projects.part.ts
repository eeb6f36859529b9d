import type { SaasPart } from '../saas-part.js';
import {
  CreateProjectHandler,
  DeleteProjectHandler,
  GetProjectHandler,
  ListProjectsHandler,
  UpdateProjectHandler,
} from './project-handlers.js';
import { ProjectsController } from './projects.controller.js';
import {
  AddCommentHandler,
  CreateTaskHandler,
  DeleteTaskHandler,
  GetTaskHandler,
  ListCommentsHandler,
  ListTasksHandler,
  UpdateTaskHandler,
} from './task-handlers.js';

/** projects: the core service (projects, tasks, comments), all in tenant transactions. */
export const PROJECTS_PART: SaasPart = {
  imports: [],
  controllers: [ProjectsController],
  providers: [
    CreateProjectHandler,
    ListProjectsHandler,
    GetProjectHandler,
    UpdateProjectHandler,
    DeleteProjectHandler,
    CreateTaskHandler,
    ListTasksHandler,
    GetTaskHandler,
    UpdateTaskHandler,
    DeleteTaskHandler,
    AddCommentHandler,
    ListCommentsHandler,
  ],
};
