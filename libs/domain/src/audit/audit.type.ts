import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { AUDIT_CLOCK_EVENTS, AUDIT_CLOCK_KINDS, auditClocks, auditStream, type AuditState } from './audit.decider';

type Opened = Exclude<AuditState, { status: 'none' }>;

/** An audit or inspection the controller asks for, with its findings and their remediation (C3, C4; DESIGN §3.7). */
export const auditType = fileType<AuditState>({
  name: 'audit',
  noun: 'audit',
  parent: 'contract',
  parentIdOf: (s) => (s as Opened).contractId,
  idPattern: CANONICAL_UUID,
  stream: auditStream,
  statuses: { requested: 'open', scheduled: 'open', performed: 'open', closed: 'final' },
  clocks: { kinds: AUDIT_CLOCK_KINDS, handles: AUDIT_CLOCK_EVENTS, of: auditClocks },
  readModel: { table: 'audits', listedAt: (s) => (s as Opened).requestedAt },
});
