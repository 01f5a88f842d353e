// Rectifications as the proto Rectification view: status, the deadline in force,
// steps and extensions. Serves a unit's open ones, due within N days / overdue (the
// query passes its `asOf` day: no clock here), by severity and by criterion.
import type { Projection } from '@wenming/readstore';
import { OPEN_STATUSES, protoStatus, RECTIFICATION_EVENT_TYPES, type RectificationStatus } from '../../domain/rectification.js';
import { C, type Doc } from '../collections.js';

function withStatus(doc: Doc, stage: RectificationStatus): Doc {
  return { ...doc, stage, status: protoStatus(stage), open: OPEN_STATUSES.includes(stage) };
}

export const rectificationsProjection: Projection = {
  name: 'inspection.rectifications',
  collections: [C.rectifications],
  handles: RECTIFICATION_EVENT_TYPES,
  indexes: { [C.rectifications]: [['unitId', 'open'], ['open', 'deadlineDate'], ['severity'], ['criterionId']] },
  async apply(event, store) {
    const d = event.data as Doc;
    await store.collection<Doc>(C.rectifications).apply(d.rectificationId, event.position, (cur) => {
      if (event.type === 'RectificationOrdered') {
        return withStatus(
          {
            ...d,
            publicConcern: d.publicConcern ?? false,
            measures: [],
            progressSteps: 0,
            percentComplete: 0,
            extensions: [],
            failedVerifications: 0,
            regressions: 0,
            orderedAt: event.occurredAt,
            closedAt: null,
            revision: event.revision,
          },
          'ordered',
        );
      }
      if (!cur) return null;
      const next: Doc = { ...cur, revision: event.revision };
      switch (event.type) {
        case 'RectificationAcknowledged':
          return withStatus({ ...next, responsiblePerson: d.responsiblePerson }, 'acknowledged');
        case 'RectificationMeasuresSubmitted': {
          const ids = new Set(d.measures.map((m: Doc) => m.measureId));
          const measures = [...cur.measures.filter((m: Doc) => !ids.has(m.measureId)), ...d.measures];
          return withStatus({ ...next, measures }, cur.stage === 'acknowledged' ? 'measures_submitted' : cur.stage);
        }
        case 'RectificationProgressReported':
          return withStatus(
            { ...next, progressSteps: d.step, percentComplete: d.percentComplete ?? cur.percentComplete },
            cur.stage === 'reopened' ? 'reopened' : 'in_progress',
          );
        case 'RectificationExtensionRequested':
          return {
            ...next,
            extensions: [
              ...cur.extensions,
              {
                requestId: d.requestId,
                requestedDeadlineDate: d.requestedDeadlineDate,
                reason: d.reason,
                decision: 'EXTENSION_DECISION_PENDING',
                grantedDeadlineDate: '',
              },
            ],
          };
        case 'RectificationExtensionGranted':
          return {
            ...next,
            deadlineDate: d.newDeadlineDate,
            extensions: cur.extensions.map((x: Doc) =>
              x.requestId === d.requestId ? { ...x, decision: 'EXTENSION_DECISION_GRANTED', grantedDeadlineDate: d.newDeadlineDate } : x,
            ),
          };
        case 'RectificationExtensionRefused':
          return {
            ...next,
            extensions: cur.extensions.map((x: Doc) =>
              x.requestId === d.requestId ? { ...x, decision: 'EXTENSION_DECISION_REFUSED' } : x,
            ),
          };
        case 'RectificationCompletionReported':
          return withStatus(next, 'awaiting_verification');
        case 'RectificationVerificationPassed':
          return withStatus(next, 'verified');
        case 'RectificationVerificationFailed':
          return withStatus(
            {
              ...next,
              failedVerifications: cur.failedVerifications + 1,
              deadlineDate: d.newDeadlineDate || cur.deadlineDate,
              lastReasons: d.reasons,
            },
            'reopened',
          );
        case 'RectificationClosed':
          return withStatus({ ...next, closedAt: event.occurredAt }, 'closed');
        case 'RectificationClosedNotRectifiable':
          return withStatus({ ...next, closedAt: event.occurredAt, notRectifiableReason: d.reason }, 'closed_not_rectifiable');
        case 'RectificationRegressed':
          return withStatus(
            { ...next, regressions: cur.regressions + 1, closedAt: null, deadlineDate: d.newDeadlineDate || cur.deadlineDate },
            'reopened',
          );
        default:
          return next;
      }
    });
  },
};
