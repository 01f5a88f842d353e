// Shared givens of the domain specs: one catalog (seed 004's standardized window),
// evidence references, and a rectification's history up to each state.
import type { CatalogView } from './catalog.js';
import type { RectificationEvent } from './rectification.js';
import type { EvidenceRef } from './shared.js';

export const CATALOG: CatalogView = {
  campaignId: 'c2004',
  version: 1,
  criteria: {
    'window-sign': {
      criterionId: 'window-sign',
      title: '窗口标识规范',
      maxPoints: 1000,
      evidenceRules: [{ minPhotos: 2, photosMustShowUnitName: true, description: '至少两张照片显示单位名称' }],
    },
    'service-attitude': { criterionId: 'service-attitude', title: '服务态度优', maxPoints: 500, evidenceRules: [] },
  },
  vetoConditionIds: ['veto-bribe'],
};

export function photo(n: number, showsUnitName = true): EvidenceRef {
  return {
    fileName: `window-${n}.jpg`,
    mediaType: 'image/jpeg',
    sha256: String(n).padStart(64, 'a'),
    attachedBy: { id: 'insp-wang', role: 'ROLE_INSPECTOR' },
    attachedAt: '2004-05-10T09:00:00Z',
    showsUnitName,
  };
}

const R = 'r1';
export const ORDERED: RectificationEvent = {
  type: 'RectificationOrdered',
  data: {
    rectificationId: R,
    findingId: 'f1',
    inspectionId: 'i1',
    unitId: 'u-window-3',
    campaignId: 'c2004',
    criterionId: 'window-sign',
    severity: 'SEVERITY_GENERAL',
    requirements: '更换窗口标识,公开办事流程',
    deadlineDate: '2004-06-30',
  },
};
export const ACKNOWLEDGED: RectificationEvent = {
  type: 'RectificationAcknowledged',
  data: { rectificationId: R, responsiblePerson: { name: '李主任', position: '窗口负责人' } },
};
export const MEASURES: RectificationEvent = {
  type: 'RectificationMeasuresSubmitted',
  data: { rectificationId: R, measures: [{ measureId: 'm1', description: '制作新标识牌' }] },
};
export const progress = (step: number): RectificationEvent => ({
  type: 'RectificationProgressReported',
  data: { rectificationId: R, step, description: `第${step}步`, evidence: [photo(step)] },
});
export const COMPLETION: RectificationEvent = { type: 'RectificationCompletionReported', data: { rectificationId: R, summary: '已完成' } };
export const PASSED: RectificationEvent = {
  type: 'RectificationVerificationPassed',
  data: { rectificationId: R, inspectorIds: ['insp-wang'] },
};
export const FAILED: RectificationEvent = {
  type: 'RectificationVerificationFailed',
  data: { rectificationId: R, inspectorIds: ['insp-wang'], reasons: ['标识仍不清晰'] },
};
export const CLOSED: RectificationEvent = { type: 'RectificationClosed', data: { rectificationId: R } };
export const NOT_RECTIFIABLE: RectificationEvent = {
  type: 'RectificationClosedNotRectifiable',
  data: { rectificationId: R, reason: '需改建大楼' },
};
export const EXT_REQUESTED: RectificationEvent = {
  type: 'RectificationExtensionRequested',
  data: { rectificationId: R, requestId: 'ext-1', requestedDeadlineDate: '2004-07-31', reason: '标识牌定制需时' },
};

/** Histories that end in each state. */
export const HISTORY = {
  ordered: [ORDERED],
  acknowledged: [ORDERED, ACKNOWLEDGED],
  measures_submitted: [ORDERED, ACKNOWLEDGED, MEASURES],
  in_progress: [ORDERED, ACKNOWLEDGED, MEASURES, progress(1)],
  awaiting_verification: [ORDERED, ACKNOWLEDGED, MEASURES, progress(1), COMPLETION],
  verified: [ORDERED, ACKNOWLEDGED, MEASURES, progress(1), COMPLETION, PASSED],
  reopened: [ORDERED, ACKNOWLEDGED, MEASURES, progress(1), COMPLETION, FAILED],
  closed: [ORDERED, ACKNOWLEDGED, MEASURES, progress(1), COMPLETION, PASSED, CLOSED],
  closed_not_rectifiable: [ORDERED, NOT_RECTIFIABLE],
} satisfies Record<string, RectificationEvent[]>;
