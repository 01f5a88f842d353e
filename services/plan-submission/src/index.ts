export { type Application, createApplication } from './application/handlers.js';
export { createPlanSubmissionModule, PLAN_SUBMISSION_EVENTS, type PlanSubmissionModule } from './module.js';
export { PROJECTIONS } from './projections/index.js';
