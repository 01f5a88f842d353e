// A finding 发现的问题: a criterion of the unit's campaign catalog, a severity, a
// description and evidence references. Findings live on their inspection's stream
// (events.proto: FindingRecorded/Amended/Withdrawn on inspection-<id>), so the rules
// here are applied by the inspection decider; they are kept apart because they are
// what the seeds say about a finding, not about an inspection.
import type { CatalogCriterion, CatalogView } from './catalog.js';
import { checkEvidence, checkSeverity, type EvidenceRef, requireText, type Severity, ValidationError } from './shared.js';

export interface FindingState {
  findingId: string;
  unitId: string;
  criterionId: string;
  severity: Severity;
  withdrawn: boolean;
  evidence: EvidenceRef[];
  publicConcern: boolean;
}

export interface FindingInput {
  findingId: string;
  unitId: string;
  criterionId: string;
  severity: string;
  description: string;
  evidence?: EvidenceRef[];
  publicConcern?: boolean;
  location?: string;
}

/** The criterion must belong to the unit's campaign catalog (and to the inspection's criteria, when it lists some). */
export function catalogCriterion(
  field: string,
  criterionId: string,
  catalog: CatalogView | undefined,
  inspectionCriteria: readonly string[],
): CatalogCriterion {
  requireText(field, criterionId);
  if (!catalog) throw new ValidationError(field, 'the campaign has no standards catalog known to inspection yet');
  const criterion = catalog.criteria[criterionId];
  if (!criterion) throw new ValidationError(field, `${criterionId} is not a criterion of campaign ${catalog.campaignId}'s catalog`);
  if (inspectionCriteria.length > 0 && !inspectionCriteria.includes(criterionId)) {
    throw new ValidationError(field, `${criterionId} is not among the criteria this inspection covers`);
  }
  return criterion;
}

export function checkFinding(input: FindingInput): { severity: Severity; evidence: EvidenceRef[] } {
  requireText('findingId', input.findingId);
  requireText('unitId', input.unitId);
  const severity = checkSeverity('severity', input.severity);
  requireText('description', input.description);
  return { severity, evidence: checkEvidence('evidence', input.evidence) };
}
