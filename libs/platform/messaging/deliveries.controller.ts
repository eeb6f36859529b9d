import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { Authenticated, Roles } from '../auth/auth.decorators.js';
import { PlatformError } from '../http/app-error.js';
import { PLATFORM_ERRORS } from '../http/error-catalogue.js';
import { ContextSchema } from '../http/openapi-conventions.js';
import { decodeCursor, PageQuery, toPage } from '../http/pagination.js';
import { ApiProblems } from '../http/problem-responses.decorator.js';
import { ParkedDeliveries, type ParkedCursor, type ParkedRecord } from './parked-deliveries.js';
import { OutboxRelay } from './relay.js';

/** A consumer name, `<context>.<what-it-does>` (the shape `@Consumes` requires). */
const CONSUMER_NAME = /^[a-z][a-z0-9-]*\.[a-z0-9.-]+$/;

@ContextSchema('platform')
export class ParkedDelivery {
  @ApiProperty({ format: 'uuid', description: 'The event (its envelope `id`)' }) eventId: string;
  @ApiProperty({
    pattern: CONSUMER_NAME.source,
    example: 'notifications.welcome',
    description: 'The consumer that failed it, `<context>.<what-it-does>`',
  })
  consumer: string;
  @ApiProperty({ example: 'identity.user-registered' }) eventType: string;
  @ApiProperty({ type: 'integer', format: 'int32', example: 1 }) eventVersion: number;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 8,
    description: 'Deliveries tried (`INBOX_MAX_ATTEMPTS`, 8 by default, before parking)',
  })
  attempts: number;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Error: SMTP connection refused',
    description: "The last attempt's error",
  })
  lastError: string | null;
  @ApiProperty({ format: 'date-time', description: 'First delivery attempt' })
  firstSeenAt: string;
  @ApiProperty({ format: 'date-time', description: 'When it was parked (its last attempt)' })
  parkedAt: string;
  @ApiProperty({
    description: 'The event envelope as delivered (id, type, version, payload, metadata)',
  })
  envelope: object;
}

@ContextSchema('platform')
export class ParkedDeliveryPage {
  @ApiProperty({ type: [ParkedDelivery], description: 'Oldest parked first' })
  items: ParkedDelivery[];
  @ApiProperty({
    nullable: true,
    type: String,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}

@ContextSchema('platform')
export class RedriveResult {
  @ApiProperty({ enum: ['pending'], example: 'pending' }) status: 'pending';
}

/** The path of a re-drive: which event, to which consumer. */
@ContextSchema('platform')
export class RedriveParams {
  @ApiProperty({ description: 'The parked delivery’s `eventId`' })
  @IsUUID()
  eventId: string;

  @ApiProperty({
    example: 'notifications.welcome',
    description: 'The parked delivery’s `consumer`',
  })
  @IsString()
  // Fastify's router refuses a longer path parameter anyway (414, its default maxParamLength).
  @MaxLength(100)
  @Matches(CONSUMER_NAME, {
    message: 'consumer must look like <context>.<what-it-does>, e.g. `notifications.welcome`',
  })
  consumer: string;
}

function mapDelivery(r: ParkedRecord): ParkedDelivery {
  return {
    eventId: r.eventId,
    consumer: r.consumer,
    eventType: r.eventType,
    eventVersion: r.eventVersion,
    attempts: r.attempts,
    lastError: r.lastError,
    firstSeenAt: r.firstSeenAt.toISOString(),
    parkedAt: r.parkedAt.toISOString(),
    envelope: r.envelope,
  };
}

/** Dead letters: deliveries a consumer failed INBOX_MAX_ATTEMPTS times, and their re-drive. */
@ApiTags('platform')
@Authenticated()
@Roles('admin')
@Controller('v1/platform/deliveries')
export class DeliveriesController {
  constructor(
    private readonly deliveries: ParkedDeliveries,
    private readonly relay: OutboxRelay,
  ) {}

  @Get('parked')
  @ApiOperation({
    summary: 'List parked (dead-lettered) deliveries, oldest first',
    description:
      'Admin only. A delivery is one event to one consumer; a consumer that fails it ' +
      '`INBOX_MAX_ATTEMPTS` times (8 by default, with backoff) parks it here, and the event ' +
      "waits for an operator (other consumers' deliveries of it are unaffected). Each item " +
      'has the last error and the envelope, to find the cause. Pages of `limit` items (20 by ' +
      'default, at most 100), oldest parked first: pass `nextCursor` back as `cursor` until it ' +
      'is null. Once the cause is fixed, re-drive one with ' +
      '`POST /v1/platform/deliveries/{eventId}/{consumer}/redrive`.',
  })
  @ApiOkResponse({ type: ParkedDeliveryPage })
  @ApiProblems(PLATFORM_ERRORS, [], { validated: true })
  async listParkedDeliveries(@Query() q: PageQuery): Promise<ParkedDeliveryPage> {
    const after = decodeCursor<ParkedCursor>(q.cursor, {
      updatedAt: 'timestamp',
      eventId: 'uuid',
      consumer: 'string',
    });
    const rows = await this.deliveries.list(q.limit + 1, after);
    return toPage(rows, q.limit, mapDelivery, (r) => ({
      updatedAt: r.cursorAt,
      eventId: r.eventId,
      consumer: r.consumer,
    }));
  }

  @Post(':eventId/:consumer/redrive')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Re-drive a parked delivery: it is retried at once with a fresh attempt budget',
    description:
      'Admin only. Takes an `eventId` and `consumer` from `GET /v1/platform/deliveries/parked` ' +
      'and moves that delivery back to pending with its attempts reset, due now; the relay is ' +
      'woken so the consumer gets it again within moments. Answers **202** `{ "status": ' +
      '"pending" }`: the outcome is not awaited. It then leaves the parked list; if the ' +
      'consumer keeps failing, it is parked again after another `INBOX_MAX_ATTEMPTS` tries. ' +
      'Answers 404 `platform.not_found` when no delivery of that event to that consumer is ' +
      'parked (never parked, or already re-driven).',
  })
  @ApiAcceptedResponse({ type: RedriveResult })
  @ApiProblems(PLATFORM_ERRORS, ['platform.not_found'], { validated: true })
  async redriveDelivery(@Param() { eventId, consumer }: RedriveParams): Promise<RedriveResult> {
    if (!(await this.deliveries.redrive(eventId, consumer))) {
      throw new PlatformError(
        'platform.not_found',
        404,
        `No parked delivery of event ${eventId} to ${consumer}.`,
      );
    }
    this.relay.kick();
    return { status: 'pending' };
  }
}
