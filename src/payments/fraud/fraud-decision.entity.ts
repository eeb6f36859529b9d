import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Verdict } from './fraud-rules.js';

/** A rule the fraud engine found hit, with what it observed. */
export interface FraudRuleHit {
  id: string;
  verdict: Verdict;
  score: number;
  observed?: number;
}

/** The fraud engine's decision on one saga, kept for review and disputes (written once). */
@Entity({ schema: 'payments', name: 'fraud_decisions' })
export class FraudDecisionRecord {
  @PrimaryColumn('uuid', { name: 'saga_id' }) sagaId: string;
  @Column('text') verdict: Verdict;
  @Column('int') score: number;
  @Column('jsonb') rules: FraudRuleHit[];
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

/** A `payments.fraud_decisions` row as raw SQL returns it. */
export interface FraudDecisionRow {
  saga_id: string;
  verdict: Verdict;
  score: number;
  rules: FraudRuleHit[];
  created_at: Date;
}
