export { contractWorkflow } from './contract.workflow';
export { incidentWorkflow } from './incident.workflow';
export { breachNoticeWorkflow } from './breach-notice.workflow';
export { processorDpoWorkflow } from './processor-dpo.workflow';
export { subProcessorChangeWorkflow } from './sub-processor-change.workflow';
export { subProcessorNoticeWorkflow } from './sub-processor-notice.workflow';
export { fileWorkflow } from './file.workflow';
