// The standards catalog 考核标准 and award rules of a campaign, as whole versions.
// Shapes follow proto/wenming/plansubmission/v1/events.proto (proto3 JSON).
import type { Points, Ratio } from './shared.js';
import { ValidationError } from './shared.js';

export type DimensionKind =
  | 'DIMENSION_KIND_LEARNING'
  | 'DIMENSION_KIND_LAW_BASED'
  | 'DIMENSION_KIND_PRAGMATIC'
  | 'DIMENSION_KIND_CLEAN_GOVERNMENT'
  | 'DIMENSION_KIND_SERVICE'
  | 'DIMENSION_KIND_EFFICIENCY'
  | 'DIMENSION_KIND_FRUGAL'
  | 'DIMENSION_KIND_INCORRUPT'
  | 'DIMENSION_KIND_HARMONIOUS'
  | 'DIMENSION_KIND_CUSTOM';

/** 四化工作标准. */
export type WorkStandard =
  | 'WORK_STANDARD_SCIENTIFIC_PROCEDURES'
  | 'WORK_STANDARD_STANDARDIZED_CONTENT'
  | 'WORK_STANDARD_OPEN_METHODS'
  | 'WORK_STANDARD_MODERN_MEANS';

export type TitleKind =
  | 'TITLE_KIND_WINNER_UNIT'
  | 'TITLE_KIND_STANDARD_MET_UNIT'
  | 'TITLE_KIND_ADVANCED_WINDOW'
  | 'TITLE_KIND_ADVANCED_STAFF'
  | 'TITLE_KIND_RED_FLAG';

export interface EvidenceRule {
  minPhotos?: number;
  photosMustShowUnitName?: boolean;
  requiredDocuments?: string[];
  description?: string;
}

export interface Criterion {
  criterionId?: string;
  dimensionId?: string;
  code?: string;
  title?: string;
  description?: string;
  maxPoints?: Points;
  assessmentMethod?: string;
  evidenceRules?: EvidenceRule[];
  workStandards?: WorkStandard[];
}

export interface Dimension {
  dimensionId?: string;
  kind?: DimensionKind;
  name?: string;
  description?: string;
  criteria?: Criterion[];
}

export interface WorkStandardDefinition {
  standard?: WorkStandard;
  description?: string;
}

export interface VetoCondition {
  vetoConditionId?: string;
  code?: string;
  description?: string;
  appliesTo?: TitleKind[];
}

export interface StandardsCatalog {
  version?: number;
  dimensions?: Dimension[];
  workStandards?: WorkStandardDefinition[];
  vetoConditions?: VetoCondition[];
}

export interface TitleRule {
  title?: TitleKind;
  cycle?: 'APPRAISAL_CYCLE_KIND_ANNUAL' | 'APPRAISAL_CYCLE_KIND_QUARTERLY' | 'APPRAISAL_CYCLE_KIND_MONTHLY';
  minScore?: Points;
  maxShare?: Ratio;
  maxCount?: number;
  description?: string;
}

export interface YearTarget {
  year?: number;
  shareMeetingStandard?: Ratio;
}

export interface AwardRules {
  version?: number;
  titleRules?: TitleRule[];
  weights?: { inspection?: Ratio; planTasks?: Ratio; supervision?: Ratio; democraticAppraisal?: Ratio };
  deductions?: Array<{ source?: string; pointsPerOccurrence?: Points; cap?: Points; description?: string }>;
  targets?: YearTarget[];
  markedRegressionDrop?: Points;
}

/** What a plan may link its measures and tasks to. */
export interface CatalogIndex {
  dimensionIds: string[];
  criterionIds: string[];
}

export function indexCatalog(catalog: StandardsCatalog | undefined): CatalogIndex {
  const dimensions = catalog?.dimensions ?? [];
  return {
    dimensionIds: dimensions.map((d) => d.dimensionId ?? ''),
    criterionIds: dimensions.flatMap((d) => (d.criteria ?? []).map((c) => c.criterionId ?? '')),
  };
}

export function checkCatalog(field: string, catalog: StandardsCatalog): void {
  const dimensions = catalog.dimensions ?? [];
  if (dimensions.length === 0) throw new ValidationError(`${field}.dimensions`, 'a catalog needs at least one dimension');
  const seenDimensions = new Set<string>();
  const seenCriteria = new Set<string>();
  dimensions.forEach((d, i) => {
    const at = `${field}.dimensions[${i}]`;
    if (!d.dimensionId) throw new ValidationError(`${at}.dimensionId`, 'is required');
    if (seenDimensions.has(d.dimensionId)) throw new ValidationError(`${at}.dimensionId`, `${d.dimensionId} appears twice`);
    seenDimensions.add(d.dimensionId);
    if (!d.name) throw new ValidationError(`${at}.name`, 'is required');
    if (!d.kind) throw new ValidationError(`${at}.kind`, 'is required');
    (d.criteria ?? []).forEach((c, j) => {
      const cat = `${at}.criteria[${j}]`;
      if (!c.criterionId) throw new ValidationError(`${cat}.criterionId`, 'is required');
      if (seenCriteria.has(c.criterionId)) throw new ValidationError(`${cat}.criterionId`, `${c.criterionId} appears twice`);
      seenCriteria.add(c.criterionId);
      if (!c.title) throw new ValidationError(`${cat}.title`, 'is required');
      if ((c.maxPoints?.hundredths ?? 0) <= 0) throw new ValidationError(`${cat}.maxPoints`, 'a criterion carries maximum points above 0');
      if (c.dimensionId !== undefined && c.dimensionId !== '' && c.dimensionId !== d.dimensionId) {
        throw new ValidationError(`${cat}.dimensionId`, `belongs to ${d.dimensionId}`);
      }
    });
  });
  (catalog.vetoConditions ?? []).forEach((v, i) => {
    if (!v.description) throw new ValidationError(`${field}.vetoConditions[${i}].description`, 'is required');
  });
}
