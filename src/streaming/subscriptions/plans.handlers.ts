import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { ADMIN_ROLE, type Principal } from '@app/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { StreamingError } from '../streaming.error.js';
import type { PlanRow } from './subscription.entity.js';
import {
  toPlanView,
  type CreatePlanRequest,
  type PlanList,
  type PlanView,
} from './subscriptions.dto.js';

/** The plan, or 404 `streaming.plan_not_found`. */
export async function findPlan(db: DataSource | EntityManager, id: string): Promise<PlanRow> {
  const [plan] = await db.query<PlanRow[]>(`SELECT * FROM streaming.plans WHERE id = $1`, [id]);
  if (!plan) throw new StreamingError('streaming.plan_not_found', `No plan ${id}.`);
  return plan;
}

export class CreatePlan extends Command<PlanView> {
  constructor(
    readonly caller: Pick<Principal, 'userId' | 'roles'>,
    readonly body: CreatePlanRequest,
  ) {
    super();
  }
}

/**
 * A plan for the caller's own channel (`channelId` omitted or the caller's id), or a platform
 * plan (`channelId: null`, admins only). Anyone else's channel → 403 naming `channelId`.
 */
@CommandHandler(CreatePlan)
export class CreatePlanHandler implements ICommandHandler<CreatePlan> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ caller, body }: CreatePlan): Promise<PlanView> {
    const admin = caller.roles.includes(ADMIN_ROLE);
    const channelId = body.channelId === undefined ? caller.userId : body.channelId;
    if (channelId === null ? !admin : channelId !== caller.userId && !admin) {
      throw new StreamingError(
        'streaming.not_your_channel',
        channelId === null
          ? 'Only admins create platform plans.'
          : 'You can create plans for your own channel only.',
        { errors: [{ field: 'channelId', messages: ['is not your channel'] }] },
      );
    }
    const [plan] = await this.db.query<PlanRow[]>(
      `INSERT INTO streaming.plans (id, channel_id, name, monthly_price, currency, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [uuidv7(), channelId, body.name, body.monthlyPrice, body.currency, caller.userId],
    );
    return toPlanView(plan!);
  }
}

export class GetPlan extends Query<PlanView> {
  constructor(readonly id: string) {
    super();
  }
}

@QueryHandler(GetPlan)
export class GetPlanHandler implements IQueryHandler<GetPlan> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ id }: GetPlan): Promise<PlanView> {
    return toPlanView(await findPlan(this.db, id));
  }
}

export class ListChannelPlans extends Query<PlanList> {
  constructor(readonly channelId: string) {
    super();
  }
}

/** The channel's own plans, then the platform plans (which also entitle to this channel). */
@QueryHandler(ListChannelPlans)
export class ListChannelPlansHandler implements IQueryHandler<ListChannelPlans> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ channelId }: ListChannelPlans): Promise<PlanList> {
    const rows = await this.db.query<PlanRow[]>(
      `SELECT * FROM streaming.plans WHERE channel_id = $1 OR channel_id IS NULL
        ORDER BY channel_id IS NULL, monthly_price, id LIMIT 100`,
      [channelId],
    );
    return { items: rows.map(toPlanView) };
  }
}
