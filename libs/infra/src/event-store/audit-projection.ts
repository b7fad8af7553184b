import { AUDIT_CLOCK_EVENTS, auditClocks, auditStream, type AuditState } from '../../../domain/src';
import { contractFileReadModel, type Folding } from './whole-state-projection';

type Opened = Exclude<AuditState, { status: 'none' }>;

/** `audits` (C3, C4): one row per audit under its contract; its date and its earliest open remediation in the inbox. */
export const auditReadModel = contractFileReadModel<AuditState>({
  stream: auditStream as unknown as Folding<AuditState> & { name: string },
  noun: 'audits',
  table: 'audits',
  contractIdOf: (s) => (s as Opened).contractId,
  receivedAtOf: (s) => (s as Opened).requestedAt,
  clocks: { handles: AUDIT_CLOCK_EVENTS, clocksOf: auditClocks },
});
