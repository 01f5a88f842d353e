// Monthly task reports 每月完成工作任务考核表 as submitted, corrected and reviewed.
import type { Projection } from '@wenming/readstore';
import { TASK_REPORT_EVENT_TYPES } from '../../domain/task-report.js';
import { C, type Doc } from '../collections.js';

export const monthlyReportsProjection: Projection = {
  name: 'plansubmission.monthly-reports',
  collections: [C.monthlyReports],
  handles: TASK_REPORT_EVENT_TYPES,
  indexes: { [C.monthlyReports]: [['planId'], ['unitId'], ['campaignId'], ['month']] },
  async apply(event, store) {
    const d = event.data as Doc;
    await store.collection<Doc>(C.monthlyReports).apply(d.reportId, event.position, (cur) => {
      switch (event.type) {
        case 'MonthlyTaskReportSubmitted':
          return {
            reportId: d.reportId,
            planId: d.planId,
            unitId: d.unitId,
            campaignId: d.campaignId,
            month: d.month,
            dueDate: d.dueDate,
            submittedAt: event.occurredAt,
            submittedOn: d.submittedOn,
            late: d.late,
            items: d.items,
            verdict: 'REPORT_VERDICT_UNSPECIFIED',
            reviewComment: '',
            corrections: 0,
            revision: event.revision,
          };
        case 'MonthlyTaskReportCorrected':
          return cur
            ? { ...cur, items: d.items, corrections: cur.corrections + 1, verdict: 'REPORT_VERDICT_UNSPECIFIED', revision: event.revision }
            : null;
        case 'MonthlyTaskReportReviewed':
          return cur ? { ...cur, verdict: d.verdict, reviewComment: d.comment ?? '', revision: event.revision } : null;
        default:
          return cur ?? null;
      }
    });
  },
};
