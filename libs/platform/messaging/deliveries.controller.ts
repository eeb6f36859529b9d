import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, Roles } from '../auth/auth.decorators.js';
import { PlatformError } from '../http/app-error.js';
import { decodeCursor, PageQuery, toPage } from '../http/pagination.js';
import { ProblemDoc } from '../http/problem.dto.js';
import { ParkedDeliveries, type ParkedCursor, type ParkedRecord } from './parked-deliveries.js';
import { OutboxRelay } from './relay.js';

export class ParkedDelivery {
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ example: 'notifications.welcome-email' }) consumer: string;
  @ApiProperty({ example: 'identity.user-registered' }) eventType: string;
  @ApiProperty({ example: 1 }) eventVersion: number;
  @ApiProperty({ example: 8 }) attempts: number;
  @ApiPropertyOptional({ example: 'Error: SMTP connection refused', nullable: true }) lastError:
    string | null;
  @ApiProperty({ format: 'date-time' }) firstSeenAt: string;
  @ApiProperty({ format: 'date-time' }) parkedAt: string;
  @ApiProperty({ description: 'The event envelope as delivered' }) envelope: object;
}

export class ParkedDeliveryPage {
  @ApiProperty({ type: [ParkedDelivery] }) items: ParkedDelivery[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class RedriveResult {
  @ApiProperty({ example: 'pending' }) status: 'pending';
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
  @ApiOperation({ summary: 'List parked (dead-lettered) deliveries, oldest first' })
  @ApiOkResponse({ type: ParkedDeliveryPage })
  async parked(@Query() q: PageQuery): Promise<ParkedDeliveryPage> {
    const after = decodeCursor<ParkedCursor>(q.cursor, ['updatedAt', 'eventId', 'consumer']);
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
  })
  @ApiAcceptedResponse({ type: RedriveResult })
  @ApiNotFoundResponse({
    description: 'No parked delivery for this event and consumer',
    type: ProblemDoc,
  })
  async redrive(
    @Param('eventId', new ParseUUIDPipe()) eventId: string,
    @Param('consumer') consumer: string,
  ): Promise<RedriveResult> {
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
