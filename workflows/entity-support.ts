// Workflow-safe helpers of the domain workflow until it runs on EntityCore (workflows/entity-core.ts).
export { callerFacing, conditionLock as serializer, shouldContinueAsNew, unlessGone } from './entity-core';
