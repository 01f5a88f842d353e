// Collection names of the inspection read models (one owner each).
export const C = {
  catalogs: 'inspection.catalogs',
  inspections: 'inspection.inspections',
  findings: 'inspection.findings',
  scores: 'inspection.scores',
  rectifications: 'inspection.rectifications',
  steps: 'inspection.rectification_steps',
} as const;

// biome-ignore lint/suspicious/noExplicitAny: read-model documents are proto3 JSON views
export type Doc = Record<string, any>;
