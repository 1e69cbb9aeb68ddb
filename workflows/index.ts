export { organizationWorkflow, administratorWorkflow } from './profile';
