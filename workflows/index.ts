export { organizationWorkflow, administratorWorkflow } from './profile';
export { domainValidationWorkflow } from './domain';
