// The part of a campaign's standards catalog 考核标准 inspection needs: which
// criteria exist, their maximum points, and their evidence rules (seed 004: "至少
// 两张照片显示单位名称"). The application layer reads it from the catalog read model
// (fed by plan-submission's events) and passes it in the command, so the deciders
// stay pure.
import type { EvidenceRef } from './shared.js';

export interface EvidenceRule {
  minPhotos?: number;
  photosMustShowUnitName?: boolean;
  requiredDocuments?: string[];
  description?: string;
}

export interface CatalogCriterion {
  criterionId: string;
  title?: string;
  maxPoints: number;
  evidenceRules: EvidenceRule[];
}

/** A unit's campaign catalog as known when the command was issued. */
export interface CatalogView {
  campaignId: string;
  version: number;
  criteria: Record<string, CatalogCriterion>;
  vetoConditionIds: string[];
}

export interface EvidenceRuleCheck {
  satisfied: boolean;
  unmet: string[];
}

const PHOTO = /\.(jpe?g|png|gif|heic|webp|bmp|tiff?)$/i;

export function isPhoto(e: EvidenceRef): boolean {
  return (e.mediaType ?? '').startsWith('image/') || PHOTO.test(e.fileName ?? '');
}

/** Checks every rule of the criterion against all the evidence attached so far. */
export function checkEvidenceRules(rules: readonly EvidenceRule[], evidence: readonly EvidenceRef[]): EvidenceRuleCheck {
  const unmet: string[] = [];
  for (const rule of rules) {
    const label = rule.description ? `${rule.description} ` : '';
    if ((rule.minPhotos ?? 0) > 0) {
      const photos = evidence.filter((e) => isPhoto(e) && (!rule.photosMustShowUnitName || e.showsUnitName === true));
      if (photos.length < rule.minPhotos!) {
        const what = rule.photosMustShowUnitName ? `photos showing the unit's name` : 'photos';
        unmet.push(`${label}(${photos.length}/${rule.minPhotos} ${what})`.trim());
      }
    }
    for (const doc of rule.requiredDocuments ?? []) {
      const found = evidence.some((e) => (e.fileName ?? '').includes(doc) || (e.caption ?? '').includes(doc));
      if (!found) unmet.push(`${label}(missing document: ${doc})`.trim());
    }
  }
  return { satisfied: unmet.length === 0, unmet };
}
