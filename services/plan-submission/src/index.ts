export { type Application, createApplication } from './application/handlers.js';
export { createPlanSubmissionModule, type PlanSubmissionModule } from './module.js';
export { PROJECTIONS } from './projections/index.js';
