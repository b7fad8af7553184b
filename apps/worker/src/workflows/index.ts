export { contractWorkflow } from './contract.workflow';
export { subjectRequestWorkflow } from './subject-request.workflow';
