// Each task of each approved plan (the version in force) with the latest completion
// its monthly reports gave; and per plan what the overdue-report query needs.
import type { Projection } from '@wenming/readstore';
import { C, type Doc } from '../collections.js';

export const taskStatusProjection: Projection = {
  name: 'plansubmission.task-status',
  collections: [C.taskPlans, C.tasks],
  handles: [
    'PlanDrafted',
    'PlanDraftRevised',
    'PlanApproved',
    'PlanAmendmentSubmitted',
    'PlanAmendmentApproved',
    'MonthlyTaskReportSubmitted',
    'MonthlyTaskReportCorrected',
  ],
  indexes: { [C.tasks]: [['planId'], ['unitId'], ['campaignId'], ['deadlineDate']], [C.taskPlans]: [['unitId'], ['campaignId']] },
  async apply(event, store) {
    const d = event.data as Doc;
    const plans = store.collection<Doc>(C.taskPlans);
    const tasks = store.collection<Doc>(C.tasks);
    const bringIntoForce = async (planId: string, content: Doc, approvedOn: string | undefined) => {
      const plan = await plans.get(planId);
      if (!plan) return;
      const fresh = (content?.tasks ?? []) as Doc[];
      for (const oldId of plan.taskIds as string[]) {
        if (!fresh.some((t) => t.taskId === oldId)) await tasks.apply(`${planId}:${oldId}`, event.position, () => null);
      }
      for (const t of fresh) {
        await tasks.apply(`${planId}:${t.taskId}`, event.position, (cur) => ({
          planId,
          unitId: plan.unitId,
          campaignId: plan.campaignId,
          taskId: t.taskId,
          title: t.title ?? '',
          owner: t.owner ?? {},
          deadlineDate: t.deadlineDate ?? '',
          assessmentMethod: t.assessmentMethod ?? '',
          completion: cur?.completion ?? 'TASK_COMPLETION_UNSPECIFIED',
          reportedMonth: cur?.reportedMonth ?? '',
        }));
      }
      await plans.apply(planId, event.position, (cur) =>
        cur ? { ...cur, taskIds: fresh.map((t) => t.taskId), ...(approvedOn ? { approvedOn } : {}), approved: true } : null,
      );
    };
    switch (event.type) {
      case 'PlanDrafted':
        await plans.apply(d.planId, event.position, () => ({
          planId: d.planId,
          unitId: d.unitId,
          campaignId: d.campaignId,
          draft: d.content,
          taskIds: [],
          approved: false,
        }));
        return;
      case 'PlanDraftRevised':
        await plans.apply(d.planId, event.position, (cur) => (cur ? { ...cur, draft: d.content } : null));
        return;
      case 'PlanAmendmentSubmitted':
        await plans.apply(d.planId, event.position, (cur) => (cur ? { ...cur, amendment: d.content } : null));
        return;
      case 'PlanApproved': {
        const plan = await plans.get(d.planId);
        if (plan) await bringIntoForce(d.planId, plan.draft, d.effectiveDate);
        return;
      }
      case 'PlanAmendmentApproved': {
        const plan = await plans.get(d.planId);
        if (plan) await bringIntoForce(d.planId, plan.amendment, undefined);
        return;
      }
      case 'MonthlyTaskReportSubmitted':
      case 'MonthlyTaskReportCorrected': {
        const planId = d.planId ?? String(d.reportId).replace(/-\d{4}-\d{2}$/, '');
        const month = d.month ?? String(d.reportId).slice(-7);
        for (const item of (d.items ?? []) as Doc[]) {
          await tasks.apply(`${planId}:${item.taskId}`, event.position, (cur) => {
            if (!cur || cur.reportedMonth > month) return cur ?? null;
            return { ...cur, completion: item.completion, reportedMonth: month };
          });
        }
        return;
      }
    }
  },
};
