export { createInspectionModule, INSPECTION_EVENTS, type InspectionModule } from './module.js';
export { CATALOG_FEED, catalogFeedGroup } from './projections/catalogs/consumer.js';
export { PROJECTIONS } from './projections/index.js';
