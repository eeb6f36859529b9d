import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { OrderStatus } from './order.entity.js';

/** One move of an order's state machine. Read through TypeORM (this class is its row type). */
@Entity({ schema: 'commerce', name: 'order_timeline' })
@Index('order_timeline_order_idx', ['orderId', 'at'])
export class OrderTimelineEntry {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'order_id' }) orderId: string;
  @Column('text', { name: 'from_status', nullable: true }) fromStatus: OrderStatus | null;
  @Column('text', { name: 'to_status' }) toStatus: OrderStatus;
  @Column('text', { nullable: true }) note: string | null;
  @Column('timestamptz', { default: () => 'now()' }) at: Date;
}
