export { createInspectionModule, type InspectionModule } from './module.js';
