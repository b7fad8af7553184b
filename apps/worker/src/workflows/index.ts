export { contractWorkflow } from './contract.workflow';
export { dataDestructionWorkflow } from './destruction.workflow';
