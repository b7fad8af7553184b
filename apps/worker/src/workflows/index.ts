export { contractWorkflow } from './contract.workflow';
export { subjectRequestWorkflow } from './subject-request.workflow';
export { incidentWorkflow } from './incident.workflow';
export { breachNoticeWorkflow } from './breach-notice.workflow';
export { instructionWorkflow } from './instruction.workflow';
export { transferNoticeWorkflow } from './transfer-notice.workflow';
export { assistanceRequestWorkflow } from './assistance-request.workflow';
export { auditWorkflow } from './audit.workflow';
