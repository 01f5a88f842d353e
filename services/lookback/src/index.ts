export * from './application/history.js';
export { buildDossier, DOSSIER_FILE_NAMES, type Dossier, dossierFromEvents, writeDossier } from './dossier/export.js';
export { type DossierVerification, verifyDossier } from './dossier/verify.js';
export { createLookbackModule, LOOKBACK_EVENTS } from './module.js';
