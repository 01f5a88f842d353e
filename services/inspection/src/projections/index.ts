import { findingsProjection } from './findings/projection.js';
import { inspectionsProjection } from './inspections/projection.js';
import { rectificationStepsProjection } from './rectification-steps/projection.js';
import { rectificationsProjection } from './rectifications/projection.js';
import { unitScoresProjection } from './unit-scores/projection.js';

/** Read models kept from this service's own events (the catalogs come from the bus: catalogs/consumer.ts). */
export const PROJECTIONS = [
  inspectionsProjection,
  findingsProjection,
  unitScoresProjection,
  rectificationsProjection,
  rectificationStepsProjection,
];
