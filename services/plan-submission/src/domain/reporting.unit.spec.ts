// What the unit reports against its approved plan (seed 003 管理规范): the monthly
// table 每月完成工作任务考核表, summaries, and the rules it establishes 建章立制.
import { describe, it } from 'node:test';
import { ForbiddenTransitionError, ValidationError } from '@wenming/service-kit';
import { DeciderSpecification } from '@wenming/service-kit/testing';
import { ruleDecider } from './rule.js';
import { summaryDecider } from './summary.js';
import { type TaskReportEvent, type TaskReportItem, taskReportDecider } from './task-report.js';
import { CAMPAIGN_PERIOD } from './test-data.js';

const reports = DeciderSpecification.for(taskReportDecider);
const done: TaskReportItem = { taskId: 't1', completion: 'TASK_COMPLETION_COMPLETED', measuresTaken: '修订办法', effect: '办结提速' };
const base = {
  reportId: 'p1-2025-03',
  planId: 'p1',
  unitId: 'u1',
  campaignId: 'c1',
  month: '2025-03',
  dueDate: '2025-04-05',
  items: [done],
};
const ctx = { planStatus: 'approved', planApproved: true, taskIds: ['t1', 't2'], period: CAMPAIGN_PERIOD };
const submittedEvent: TaskReportEvent = { type: 'MonthlyTaskReportSubmitted', data: { ...base, submittedOn: '2025-04-03', late: false } };

describe('Monthly task report: due on the campaign day of the next month', () => {
  it('submitted by the due day: on time', () =>
    reports
      .given([])
      .when({ type: 'SubmitMonthlyTaskReport', data: { ...base, ...ctx, submittedOn: '2025-04-03' } })
      .then(submittedEvent));

  it('submitted after the due day: recorded late', () =>
    reports
      .given([])
      .when({ type: 'SubmitMonthlyTaskReport', data: { ...base, ...ctx, submittedOn: '2025-04-09' } })
      .then({ type: 'MonthlyTaskReportSubmitted', data: { ...base, submittedOn: '2025-04-09', late: true } }));

  it('nothing counts before the plan is approved', () =>
    reports
      .given([])
      .when({
        type: 'SubmitMonthlyTaskReport',
        data: { ...base, ...ctx, planStatus: 'submitted', planApproved: false, submittedOn: '2025-04-03' },
      })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'plan submitted'));

  it('a task not completed states the reason and next steps; unknown tasks are refused', () => {
    const notDone: TaskReportItem = { taskId: 't2', completion: 'TASK_COMPLETION_NOT_COMPLETED' };
    reports
      .given([])
      .when({ type: 'SubmitMonthlyTaskReport', data: { ...base, ...ctx, items: [notDone], submittedOn: '2025-04-03' } })
      .thenThrows(ValidationError, (e) => e.field === 'items[0].reasonNotCompleted');
    reports
      .given([])
      .when({ type: 'SubmitMonthlyTaskReport', data: { ...base, ...ctx, items: [{ ...done, taskId: 't9' }], submittedOn: '2025-04-03' } })
      .thenThrows(ValidationError, (e) => e.field === 'items[0].taskId');
  });

  it('a month that has not begun cannot be reported', () =>
    reports
      .given([])
      .when({ type: 'SubmitMonthlyTaskReport', data: { ...base, ...ctx, month: '2025-05', submittedOn: '2025-04-03' } })
      .thenThrows(ValidationError, (e) => e.field === 'month'));

  it('a report is submitted once, then corrected with a reason', () => {
    reports
      .given([submittedEvent])
      .when({ type: 'SubmitMonthlyTaskReport', data: { ...base, ...ctx, submittedOn: '2025-04-03' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'submitted');
    reports
      .given([submittedEvent])
      .when({ type: 'CorrectMonthlyTaskReport', data: { items: [done], taskIds: ctx.taskIds } })
      .thenThrows(ValidationError, (e) => e.field === 'reason');
    reports
      .given([submittedEvent])
      .when({ type: 'CorrectMonthlyTaskReport', data: { items: [done], reason: '补充效果', taskIds: ctx.taskIds } })
      .then({ type: 'MonthlyTaskReportCorrected', data: { reportId: base.reportId, items: [done], reason: '补充效果' } });
  });

  it('the office accepts it, or asks for a correction saying what; an accepted report is closed', () => {
    reports
      .given([submittedEvent])
      .when({ type: 'ReviewMonthlyTaskReport', data: { verdict: 'REPORT_VERDICT_ACCEPTED' } })
      .then({ type: 'MonthlyTaskReportReviewed', data: { reportId: base.reportId, verdict: 'REPORT_VERDICT_ACCEPTED' } });
    reports
      .given([submittedEvent])
      .when({ type: 'ReviewMonthlyTaskReport', data: { verdict: 'REPORT_VERDICT_NEEDS_CORRECTION' } })
      .thenThrows(ValidationError, (e) => e.field === 'comment');
    const accepted: TaskReportEvent = {
      type: 'MonthlyTaskReportReviewed',
      data: { reportId: base.reportId, verdict: 'REPORT_VERDICT_ACCEPTED' },
    };
    reports
      .given([submittedEvent, accepted])
      .when({ type: 'CorrectMonthlyTaskReport', data: { items: [done], reason: 'x', taskIds: ctx.taskIds } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'accepted');
    reports
      .given([submittedEvent, accepted])
      .when({ type: 'ReviewMonthlyTaskReport', data: { verdict: 'REPORT_VERDICT_ACCEPTED' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'accepted');
  });

  it('a report asked for correction is reviewed again after the correction', () => {
    const needs: TaskReportEvent = {
      type: 'MonthlyTaskReportReviewed',
      data: { reportId: base.reportId, verdict: 'REPORT_VERDICT_NEEDS_CORRECTION', comment: '补充措施' },
    };
    reports
      .given([submittedEvent, needs])
      .when({ type: 'ReviewMonthlyTaskReport', data: { verdict: 'REPORT_VERDICT_ACCEPTED' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'needs correction');
    reports
      .given([
        submittedEvent,
        needs,
        { type: 'MonthlyTaskReportCorrected', data: { reportId: base.reportId, items: [done], reason: '补充' } },
      ])
      .when({ type: 'ReviewMonthlyTaskReport', data: { verdict: 'REPORT_VERDICT_ACCEPTED' } })
      .then({ type: 'MonthlyTaskReportReviewed', data: { reportId: base.reportId, verdict: 'REPORT_VERDICT_ACCEPTED' } });
  });
});

describe('Monthly task report: a month of the campaign', () => {
  it('a month before the campaign, or a year such as 0001 or 9999, is refused naming the month', () => {
    for (const month of ['2024-12', '0001-01', '2028-01'])
      reports
        .given([])
        .when({ type: 'SubmitMonthlyTaskReport', data: { ...base, ...ctx, reportId: `p1-${month}`, month, submittedOn: '2028-02-03' } })
        .thenThrows(ValidationError, (e) => e.field === 'month' && /outside the campaign period/.test(e.message));
    reports
      .given([])
      .when({
        type: 'SubmitMonthlyTaskReport',
        data: { ...base, ...ctx, month: '2027-12', dueDate: '2028-01-05', submittedOn: '2028-01-03' },
      })
      .then({
        type: 'MonthlyTaskReportSubmitted',
        data: { ...base, month: '2027-12', dueDate: '2028-01-05', submittedOn: '2028-01-03', late: false },
      });
  });
});

describe('Summaries: half-year and annual, one per period', () => {
  const spec = DeciderSpecification.for(summaryDecider);
  const data = {
    summaryId: 's1',
    planId: 'p1',
    unitId: 'u1',
    campaignId: 'c1',
    kind: 'SUMMARY_KIND_HALF_YEAR' as const,
    year: 2025,
    half: 1,
    text: '上半年总结',
  };
  it('a half-year summary names its half', () => {
    spec
      .given([])
      .when({ type: 'SubmitSummary', data: { ...data, planApproved: true, planStatus: 'approved', period: CAMPAIGN_PERIOD } })
      .then({ type: 'SummarySubmitted', data });
    spec
      .given([])
      .when({ type: 'SubmitSummary', data: { ...data, half: 0, planApproved: true, planStatus: 'approved', period: CAMPAIGN_PERIOD } })
      .thenThrows(ValidationError, (e) => e.field === 'half');
  });
  it('a summary is of a year of the campaign', () => {
    for (const year of [2024, 2028, 1, 9999])
      spec
        .given([])
        .when({ type: 'SubmitSummary', data: { ...data, year, planApproved: true, planStatus: 'approved', period: CAMPAIGN_PERIOD } })
        .thenThrows(ValidationError, (e) => e.field === 'year');
  });
  it('a second summary of the same period is forbidden, as is one on an unapproved plan', () => {
    spec
      .given([{ type: 'SummarySubmitted', data }])
      .when({ type: 'SubmitSummary', data: { ...data, planApproved: true, planStatus: 'approved', period: CAMPAIGN_PERIOD } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'submitted');
    spec
      .given([])
      .when({ type: 'SubmitSummary', data: { ...data, planApproved: false, planStatus: 'draft', period: CAMPAIGN_PERIOD } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'plan draft');
  });
});

describe('Rules 建章立制: established or revised, repealed by an event', () => {
  const spec = DeciderSpecification.for(ruleDecider);
  const data = {
    ruleId: 'r1',
    unitId: 'u1',
    title: '限时办结制度实施办法',
    change: 'RULE_CHANGE_REVISED' as const,
    effectiveDate: '2025-05-01',
  };
  it('a rule is established, then repealed with a reason', () => {
    spec.given([]).when({ type: 'EstablishRule', data }).then({ type: 'RuleEstablished', data });
    spec
      .given([{ type: 'RuleEstablished', data }])
      .when({ type: 'RepealRule', data: { effectiveDate: '2026-01-01' } })
      .thenThrows(ValidationError, (e) => e.field === 'reason');
    spec
      .given([{ type: 'RuleEstablished', data }])
      .when({ type: 'RepealRule', data: { reason: '被新办法取代', effectiveDate: '2026-01-01' } })
      .then({ type: 'RuleRepealed', data: { ruleId: 'r1', reason: '被新办法取代', effectiveDate: '2026-01-01' } });
  });
  it('a rule has no campaign: its days fall within the years 2000-2100', () => {
    for (const effectiveDate of ['0001-01-01', '9999-12-31', '1999-12-31'])
      spec
        .given([])
        .when({ type: 'EstablishRule', data: { ...data, effectiveDate } })
        .thenThrows(ValidationError, (e) => e.field === 'effectiveDate');
    spec
      .given([{ type: 'RuleEstablished', data }])
      .when({ type: 'RepealRule', data: { reason: 'x', effectiveDate: '2101-01-01' } })
      .thenThrows(ValidationError, (e) => e.field === 'effectiveDate');
  });
  it('a repealed rule is not repealed again; an unknown rule cannot be repealed', () => {
    spec
      .given([
        { type: 'RuleEstablished', data },
        { type: 'RuleRepealed', data: { ruleId: 'r1', reason: 'x', effectiveDate: '2026-01-01' } },
      ])
      .when({ type: 'RepealRule', data: { reason: 'y', effectiveDate: '2026-02-01' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'repealed');
    spec
      .given([])
      .when({ type: 'RepealRule', data: { reason: 'y', effectiveDate: '2026-02-01' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'not established');
  });
});
