import { assistanceRequestType } from './assistance-request/assistance-request.type';
import { auditType } from './audit/audit.type';
import { breachNoticeType } from './breach-notice/breach-notice.type';
import { contactCheckType } from './contact-check/contact-check.type';
import { contractType } from './contract/contract.type';
import { controllerType } from './controller/controller.type';
import { incidentType } from './incident/incident.type';
import { instructionType } from './instruction/instruction.type';
import type { FileType } from './kit/file-type';
import { processorDpoType } from './processor-dpo/processor-dpo.type';
import { staffType } from './staff/staff.type';
import { subProcessorChangeType } from './sub-processor/sub-processor-change.type';
import { subProcessorNoticeType } from './sub-processor/sub-processor-notice.type';
import { subjectRequestType } from './subject-request/subject-request.type';
import { transferNoticeType } from './transfer-notice/transfer-notice.type';

/**
 * Every file type the engine keeps (DESIGN §5): the one list. The store, the read models, the
 * inbox's kinds, the metrics, a contract's files in the UI and in the evidence pack are derived
 * from it, and a test walks it against each surface.
 */
export const FILE_TYPES: readonly FileType[] = [
  contractType,
  subjectRequestType,
  incidentType,
  breachNoticeType,
  instructionType,
  transferNoticeType,
  assistanceRequestType,
  auditType,
  staffType,
  processorDpoType,
  subProcessorChangeType,
  subProcessorNoticeType,
  controllerType,
  contactCheckType,
] as readonly FileType[] as FileType[];

/** The file types under a contract, in the registry's order. */
export const CONTRACT_FILE_TYPES: readonly FileType[] = FILE_TYPES.filter((t) => t.parent === 'contract');

/** Every kind of clock in the inbox (GET /deadlines?kind=), each named by exactly one file type. */
export const DEADLINE_KINDS: readonly string[] = FILE_TYPES.flatMap((t) => t.clocks?.kinds ?? []);

/** The clocks that are the controller's own deadline (its file type says so), not the processor's. */
export const CONTROLLER_CLOCK_KINDS: readonly string[] = FILE_TYPES.flatMap((t) => t.clocks?.controllers ?? []);

/** Whose deadline a clock of `kind` is: the controller's own, or the processor's. */
export const clockOwner = (kind: string): 'controller' | 'processor' => (CONTROLLER_CLOCK_KINDS.includes(kind) ? 'controller' : 'processor');

export function fileTypeNamed(name: string): FileType | null {
  return FILE_TYPES.find((t) => t.name === name) ?? null;
}
