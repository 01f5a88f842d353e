export { createInspectionModule, INSPECTION_EVENTS, type InspectionModule } from './module.js';
export { PROJECTIONS } from './projections/index.js';
