export { organizationWorkflow, administratorWorkflow } from './profile';
export { domainValidationWorkflow } from './domain';
export { webhookDeliveryWorkflow } from './webhook-delivery';
export { emailWorkflow } from './email';
