// A criterion score: the points one unit earns on one criterion in one inspection
// (the cycle is the inspection's). Never above the criterion's maximum points in the
// catalog; a correction is a new event and the original stays in the history.
import type { CatalogCriterion } from './catalog.js';
import { type Points, ValidationError } from './shared.js';

export interface CriterionScoreInput {
  criterionId: string;
  points?: Points;
  maxPoints?: Points;
  deductionReason?: string;
  findingIds?: string[];
}

export interface ScoreState {
  unitId: string;
  criterionId: string;
  points: number;
  maxPoints: number;
}

/** Returns the score as recorded: the maximum is the catalog's, whatever the caller sent. */
export function checkScore(field: string, score: CriterionScoreInput, criterion: CatalogCriterion, knownFindings: readonly string[]) {
  const value = score.points?.hundredths;
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new ValidationError(`${field}.points`, 'must be whole hundredths of a point, 0 or more');
  }
  if ((value as number) > criterion.maxPoints) {
    throw new ValidationError(
      `${field}.points`,
      `${(value as number) / 100} exceeds the maximum ${criterion.maxPoints / 100} of criterion ${criterion.criterionId}`,
    );
  }
  if (value! < criterion.maxPoints && !score.deductionReason?.trim()) {
    throw new ValidationError(`${field}.deductionReason`, 'a deduction needs a reason (扣分理由)');
  }
  (score.findingIds ?? []).forEach((id, i) => {
    if (!knownFindings.includes(id))
      throw new ValidationError(`${field}.findingIds[${i}]`, `finding ${id} is not recorded in this inspection`);
  });
  return {
    criterionId: criterion.criterionId,
    points: { hundredths: value as number },
    maxPoints: { hundredths: criterion.maxPoints },
    ...(score.deductionReason ? { deductionReason: score.deductionReason } : {}),
    ...(score.findingIds?.length ? { findingIds: score.findingIds } : {}),
  };
}
