import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ContextSchema, PageQuery } from '@app/platform';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CURSOR_PATTERN, SKU_PATTERN } from '../catalog/catalog.dto.js';
import type { OrderTimelineEntry } from './order-timeline-entry.entity.js';
import type { Order, OrderLine, OrderStatus } from './order.entity.js';

const STATUSES: OrderStatus[] = ['PENDING', 'PAID', 'CONFIRMED', 'FAILED', 'CANCELLED'];

/** Why an order FAILED (`orders.failure_reason`), as the saga writes it. */
export const FAILURE_REASON_DESCRIPTION =
  'Why the order FAILED (null otherwise): `out_of_stock` (at checkout: nothing charged), ' +
  '`timeout` (the saga did not finish in time: any capture refunded) or ' +
  '`payment_failed:<reason>` (nothing charged), `<reason>` being payments’ code, e.g. ' +
  '`card_declined`, `insufficient_funds`, `incorrect_cvc`, `fraudulent`, `fraud_denied`, ' +
  '`card_not_found`, `processing_error`, `processor_timeout`, `processor_unavailable`, ' +
  '`hold_expired`.';

const CURRENCY = { example: 'EUR', pattern: '^[A-Z]{3}$' } as const;

@ContextSchema('commerce')
export class PlaceOrderRequest {
  @ApiProperty({
    example: 'tok_V1StGXR8_Z5jdHi6B-myT',
    description: 'The `token` of one of your cards, from POST /v1/payments/cards',
  })
  @IsString()
  @MaxLength(68)
  @Matches(/^tok_[A-Za-z0-9_-]{20,64}$/, { message: 'cardToken must be a card token' })
  cardToken: string;
}

@ContextSchema('commerce')
export class OrderAccepted {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: STATUSES, example: 'PENDING' })
  status: string;
}

@ContextSchema('commerce')
export class OrderLineDoc {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty({ example: 'DEMO-000000', pattern: SKU_PATTERN.source }) sku: string;
  @ApiProperty({ example: 'Noise-cancelling headphones', description: 'As it was at checkout' })
  name: string;
  @ApiProperty({ type: 'integer', format: 'int32', example: 2 }) quantity: number;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 19900,
    description: 'Minor units, as charged (fixed at checkout)',
  })
  unitPrice: number;
}

@ContextSchema('commerce')
export class TimelineDoc {
  // null is listed: in OpenAPI 3.0 an enum holds even when `nullable` is set.
  @ApiProperty({
    enum: [...STATUSES, null],
    nullable: true,
    type: String,
    description: 'The status before (null for the first entry: placed)',
  })
  from: string | null;
  @ApiProperty({ enum: STATUSES }) to: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'stock reserved',
    description: 'What moved it (`placed`, `payment <id>`, `out of stock: <skus>`, …)',
  })
  note: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

@ContextSchema('commerce')
export class OrderResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ enum: STATUSES, example: 'CONFIRMED' }) status: string;
  @ApiProperty({ type: [OrderLineDoc] }) lines: OrderLineDoc[];
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 39800,
    description: 'Minor units: what is charged',
  })
  total: number;
  @ApiProperty(CURRENCY) currency: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: FAILURE_REASON_DESCRIPTION,
  })
  failureReason: string | null;
  @ApiProperty({ type: [TimelineDoc], description: 'Every move of the order, oldest first' })
  timeline: TimelineDoc[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export function mapOrderAccepted(o: Pick<Order, 'id' | 'status'>): OrderAccepted {
  return { id: o.id, status: o.status };
}

/** A stored line (jsonb) as answered: only the documented fields. */
export function mapOrderLine(l: OrderLine): OrderLineDoc {
  return {
    productId: l.productId,
    sku: l.sku,
    name: l.name,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
  };
}

export function mapTimelineEntry(t: OrderTimelineEntry): TimelineDoc {
  return { from: t.fromStatus, to: t.toStatus, note: t.note, at: new Date(t.at).toISOString() };
}

export function mapOrder(o: Order, timeline: OrderTimelineEntry[]): OrderResponse {
  return {
    id: o.id,
    customerId: o.customerId,
    status: o.status,
    lines: o.lines.map(mapOrderLine),
    total: Number(o.total),
    currency: o.currency.trim(),
    failureReason: o.failureReason,
    timeline: timeline.map(mapTimelineEntry),
    createdAt: new Date(o.createdAt).toISOString(),
  };
}

/** `GET /v1/commerce/orders`: a page, optionally of one status. */
@ContextSchema('commerce')
export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES, description: 'Only orders in this status' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: OrderStatus;
}

/** An order in a list: everything but the timeline (GET /orders/{id} has it). */
@ContextSchema('commerce')
export class OrderSummary {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ enum: STATUSES, example: 'CONFIRMED' }) status: string;
  @ApiProperty({ type: [OrderLineDoc] }) lines: OrderLineDoc[];
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 39800,
    description: 'Minor units: what is charged',
  })
  total: number;
  @ApiProperty(CURRENCY) currency: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: FAILURE_REASON_DESCRIPTION,
  })
  failureReason: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

@ContextSchema('commerce')
export class OrderPage {
  @ApiProperty({ type: [OrderSummary], description: 'Newest first' }) items: OrderSummary[];
  @ApiProperty({
    type: String,
    nullable: true,
    pattern: CURSOR_PATTERN,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}

export function mapOrderSummary(o: Order): OrderSummary {
  return {
    id: o.id,
    customerId: o.customerId,
    status: o.status,
    lines: o.lines.map(mapOrderLine),
    total: Number(o.total),
    currency: o.currency.trim(),
    failureReason: o.failureReason,
    createdAt: new Date(o.createdAt).toISOString(),
  };
}
