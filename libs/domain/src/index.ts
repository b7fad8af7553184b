export * from './errors';
export * from './calendar';
export * from './fields';
export * from './catalog';
export * from './contract/contract.commands';
export * from './contract/contract.events';
export * from './contract/contract.state';
export type { Refusal } from './contract/contract.guards';
export { decide } from './contract/contract.decide';
export { evolve, fold } from './contract/contract.evolve';
export { contractStream } from './contract/contract.decider';
export * from './kit/decider';
export { DEFAULT_ESCALATION_MARGIN, destructionStartDue } from './contract/destruction.decide';
export { expiryDue } from './contract/end.decide';
export { controllerIdentity, normaliseReference, orderKey } from './contract/order.decide';
export { CONTRACT_CLOCK_EVENTS, CONTRACT_CLOCK_KINDS, nextTimer, openClocks, upcomingDeadlines, type Deadline, type DeadlineKind, type Timer as ContractTimer } from './contract/contract.timers';
export * from './contract/contract.availability';
export * from './contract/contract.view';
export * from './contract/contract.upcasting';
export * from './subject-request/subject-request.model';
export {
  assistanceDue,
  effectiveDeadline,
  reminderDue,
  SUBJECT_REQUEST_CLOCK_EVENTS,
  SUBJECT_REQUEST_CLOCK_KINDS,
  subjectRequestClocks,
  subjectRequestStream,
  toSubjectRequestView,
  type SubjectRequestView,
} from './subject-request/subject-request.decider';
export * from './kit/mail';
export * from './incident/incident.model';
export { affectedBy, incidentStream, toIncidentView, type IncidentView } from './incident/incident.decider';
export * from './breach-notice/breach-notice.model';
export {
  acknowledgementDue,
  article33Content,
  BREACH_NOTICE_CLOCK_EVENTS,
  BREACH_NOTICE_CLOCK_KINDS,
  breachNoticeClocks,
  breachNoticeStream,
  controllerAuthorityDue,
  noticeMessageIds,
  toBreachNoticeView,
  toFollow,
  type BreachNoticeView,
} from './breach-notice/breach-notice.decider';
export * from './instruction/instruction.model';
export { instructionStream, toInstructionView, type InstructionView } from './instruction/instruction.decider';
export {
  TRANSFER_NOTICE_CLOCK_EVENTS,
  TRANSFER_NOTICE_CLOCK_KINDS,
  TRANSFER_NOTICE_EMAIL,
  transferNoticeClocks,
  transferNoticeStream,
  toTransferNoticeView,
  type TransferNoticeCommand,
  type TransferNoticeEvent,
  type TransferNoticeState,
  type TransferNoticeStatus,
  type TransferNoticeView,
} from './transfer-notice/transfer-notice.decider';
export {
  ASSISTANCE_KINDS,
  ASSISTANCE_REQUEST_CLOCK_EVENTS,
  ASSISTANCE_REQUEST_CLOCK_KINDS,
  assistanceRequestClocks,
  assistanceRequestStream,
  toAssistanceRequestView,
  type AssistanceKind,
  type AssistanceRequestCommand,
  type AssistanceRequestEvent,
  type AssistanceRequestState,
  type AssistanceRequestView,
} from './assistance-request/assistance-request.decider';
export { isLate, isLateBefore, isOverdue, isOverdueBefore, remindThenEscalate, type Acted } from './kit/clock';
export {
  AUDIT_CLOCK_EVENTS,
  AUDIT_CLOCK_KINDS,
  AUDIT_KINDS,
  INSPECTION_NOTICE,
  auditClocks,
  auditStream,
  toAuditView,
  type AuditCommand,
  type AuditEvent,
  type AuditState,
  type AuditView,
} from './audit/audit.decider';
export {
  STAFF_CLOCK_EVENTS,
  STAFF_CLOCK_KINDS,
  authorisationsOn,
  clearanceGaps,
  currentContracts,
  staffClocks,
  staffStream,
  toStaffView,
  type AuthorisedPersonView,
  type StaffCommand,
  type StaffEvent,
  type StaffState,
  type StaffView,
} from './staff/staff.decider';
export * from './processor-record';
export {
  PROCESSOR_DPO_ID,
  changeToCommunicate,
  dpoContactOf,
  processorDpoStream,
  toProcessorDpoView,
  type DpoChangeCommunicatedData,
  type DpoSetData,
  type DpoSource,
  type ProcessorDpoCommand,
  type ProcessorDpoEvent,
  type ProcessorDpoState,
  type ProcessorDpoView,
} from './processor-dpo/processor-dpo.decider';
export {
  DEFAULT_OBJECTION_PERIOD,
  SUB_PROCESSOR_CHANGE_KINDS,
  subProcessorChangeStream,
  toSubProcessorChangeView,
  type SubProcessorChange,
  type SubProcessorChangeCommand,
  type SubProcessorChangeEvent,
  type SubProcessorChangeKind,
  type SubProcessorChangeState,
  type SubProcessorChangeView,
} from './sub-processor/sub-processor-change.decider';
export {
  SUB_PROCESSOR_NOTICE_EMAIL,
  subProcessorNoticeStream,
  toSubProcessorNoticeView,
  type SubProcessorNoticeCommand,
  type SubProcessorNoticeEvent,
  type SubProcessorNoticeState,
  type SubProcessorNoticeView,
} from './sub-processor/sub-processor-notice.decider';
export * from './kit/file-type';
export * from './kit/read-model';
export { CONTRACT_STATUSES, contractType, IN_PROCESSING, inProcessing } from './contract/contract.type';
export { subjectRequestType, type SubjectRequestMail } from './subject-request/subject-request.type';
export { incidentType } from './incident/incident.type';
export { breachNoticeType } from './breach-notice/breach-notice.type';
export { instructionType, type InstructionObjectionMail } from './instruction/instruction.type';
export { transferNoticeType, type TransferNoticeMail } from './transfer-notice/transfer-notice.type';
export { assistanceRequestType, type AssistanceRequestMail } from './assistance-request/assistance-request.type';
export { auditType, type AuditMail } from './audit/audit.type';
export { staffType, type StaffMail } from './staff/staff.type';
export { processorDpoType } from './processor-dpo/processor-dpo.type';
export { subProcessorChangeType } from './sub-processor/sub-processor-change.type';
export { subProcessorNoticeType } from './sub-processor/sub-processor-notice.type';
export {
  CONTROLLER_LOCALES,
  DEFAULT_PREFERENCES,
  controllerStream,
  toControllerView,
  type ControllerCommand,
  type ControllerEvent,
  type ControllerLocale,
  type ControllerPreferences,
  type ControllerState,
  type ControllerView,
  type RecordedController,
} from './controller/controller.decider';
export { controllerPreferencesBody, controllerType } from './controller/controller.type';
export { CONTACT_CHECK_ESCALATION_AFTER, CONTACT_CHECK_REMINDER_AFTER, spreadOver, toContactCheckView, type ContactCheckState, type ContactCheckView } from './contact-check/contact-check.decider';
export { contactCheckType, type ContactCheckMail } from './contact-check/contact-check.type';
export * from './file-types';
export { FIELD, openApiSchemaOf, parseBody, type FieldProblem as BodyProblem } from './kit/schema';
