export { contractWorkflow } from './contract.workflow';
