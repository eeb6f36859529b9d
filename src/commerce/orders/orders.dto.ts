import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '@app/platform';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import type { OrderTimelineEntry } from './order-timeline-entry.entity.js';
import type { Order, OrderLine, OrderStatus } from './order.entity.js';

const STATUSES: OrderStatus[] = ['PENDING', 'PAID', 'CONFIRMED', 'FAILED', 'CANCELLED'];

export class PlaceOrderRequest {
  @ApiProperty({
    example: 'tok_V1StGXR8_Z5jdHi6B-myT',
    description: 'A card token from POST /v1/payments/cards',
  })
  @IsString()
  @Matches(/^tok_[A-Za-z0-9_-]{20,64}$/, { message: 'cardToken must be a card token' })
  cardToken: string;
}

export class OrderAccepted {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: STATUSES, example: 'PENDING' })
  status: string;
}

export class OrderLineDoc {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ description: 'Minor units, as charged' }) unitPrice: number;
}

export class TimelineDoc {
  @ApiProperty({ nullable: true, type: String }) from: string | null;
  @ApiProperty() to: string;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class OrderResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty({ type: [OrderLineDoc] }) lines: OrderLineDoc[];
  @ApiProperty({ description: 'Minor units' }) total: number;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String, example: 'out_of_stock' }) failureReason:
    string | null;
  @ApiProperty({ type: [TimelineDoc] }) timeline: TimelineDoc[];
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
export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES, description: 'Only orders in this status' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: OrderStatus;
}

/** An order in a list: everything but the timeline (GET /orders/{id} has it). */
export class OrderSummary {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty({ type: [OrderLineDoc] }) lines: OrderLineDoc[];
  @ApiProperty({ description: 'Minor units' }) total: number;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String, example: 'out_of_stock' }) failureReason:
    string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class OrderPage {
  @ApiProperty({ type: [OrderSummary] }) items: OrderSummary[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
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
