import { AppError, defineErrors } from '@app/platform';

/** The saas context's problem codes: the error class, the `/problems` catalogue, the README. */
export const SAAS_ERRORS = defineErrors({
  'saas.tenant_not_found': {
    status: 404,
    meaning: 'No such tenant, or you are not one of its members (the two answer alike).',
    action: 'Use a tenant id from `GET /v1/saas/tenants`.',
  },
  'saas.slug_taken': {
    status: 409,
    meaning: 'Another tenant has this slug (its subdomain).',
    action: 'Pick another slug.',
  },
  'saas.plan_not_allowed': {
    status: 403,
    meaning:
      'Only the platform’s administrators give the enterprise plan or silo isolation, or change a tenant’s plan to it.',
    action: 'Ask for enterprise; create a free or pro tenant yourself.',
  },
  'saas.not_tenant_admin': {
    status: 403,
    meaning: 'This needs the tenant’s owner or admin role (`role` in the problem is yours).',
    action: 'Ask an owner or admin of the tenant.',
  },
  'saas.member_not_found': {
    status: 404,
    meaning: 'The user is not a member of this tenant.',
    action: 'List the members with `GET /v1/saas/members`.',
  },
  'saas.last_owner': {
    status: 409,
    meaning: 'The tenant would be left without an owner.',
    action: 'Make another member owner first.',
  },
  'saas.invitation_not_found': {
    status: 404,
    meaning: 'No pending invitation with this token (wrong, used, revoked or expired).',
    action: 'Ask the tenant for a new invitation.',
  },
  'saas.invitation_pending': {
    status: 409,
    meaning: 'This email already has a pending invitation to the tenant.',
    action: 'Wait for it to be accepted, or revoke it first.',
  },
  'saas.already_member': {
    status: 409,
    meaning: 'This user is already a member of the tenant.',
    action: 'Change their role instead.',
  },
  'saas.project_not_found': {
    status: 404,
    meaning: 'No project with this id in the current tenant.',
    action: 'Use an id from `GET /v1/saas/projects`.',
  },
  'saas.project_name_taken': {
    status: 409,
    meaning: 'The tenant already has a project with this name.',
    action: 'Pick another name.',
  },
  'saas.task_not_found': {
    status: 404,
    meaning: 'No task with this id in the current tenant.',
    action: 'Use an id from `GET /v1/saas/projects/{id}/tasks`.',
  },
  'saas.assignee_not_member': {
    status: 422,
    meaning: 'The assignee is not a member of the tenant.',
    action: 'Assign a member (`GET /v1/saas/members`), or invite them first.',
  },
  'saas.unknown_meter': {
    status: 422,
    meaning: 'Usage was sent for a meter the tenant has not defined.',
    action: 'Define it with `POST /v1/saas/meters`, or use a built-in meter.',
  },
  'saas.meter_exists': {
    status: 409,
    meaning: 'The tenant already has a meter with this key (built-in meters are reserved).',
    action: 'Use the existing meter, or pick another key.',
  },
  'saas.invoice_not_found': {
    status: 404,
    meaning: 'No invoice with this id in the current tenant.',
    action: 'Use an id from `GET /v1/saas/invoices`.',
  },
  'saas.tenant_moving': {
    status: 409,
    meaning: 'The tenant is already moving, or already has its own database.',
    action: 'Wait for the move to finish (`GET /v1/saas/tenants/{id}`).',
  },
});
export type SaasErrorCode = keyof typeof SAAS_ERRORS;

export class SaasError extends AppError {
  constructor(code: SaasErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, SAAS_ERRORS[code].status, detail, extensions);
  }
}
