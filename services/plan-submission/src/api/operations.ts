// Every operation of PlanSubmissionService, once: its rpc name, and where HTTP serves it.
// Both edges call the same application handler or query with proto3 JSON.
import { command as cmd, type Operation, query as qry } from '@wenming/service-kit';

export const OPERATIONS: readonly Operation[] = [
  cmd('DefineCampaign', '/campaigns'),
  cmd('EnrollCampaignUnits', '/campaigns/:campaignId/enrol'),
  cmd('WithdrawCampaignUnits', '/campaigns/:campaignId/withdraw'),
  cmd('RescheduleCampaignPhases', '/campaigns/:campaignId/reschedule'),
  cmd('StartCampaignPhase', '/campaigns/:campaignId/phases/start'),
  cmd('CompleteCampaignPhase', '/campaigns/:campaignId/phases/complete'),
  cmd('PublishStandardsCatalog', '/campaigns/:campaignId/catalog'),
  cmd('DefineAwardRules', '/campaigns/:campaignId/award-rules'),
  cmd('CloseCampaign', '/campaigns/:campaignId/close'),
  cmd('RegisterUnit', '/units'),
  cmd('ChangeUnitDetails', '/units/:unitId/details'),
  cmd('MoveUnit', '/units/:unitId/move'),
  cmd('NameFirstResponsiblePerson', '/units/:unitId/first-responsible-person'),
  cmd('DesignateUnitCampaignOffice', '/units/:unitId/campaign-office'),
  cmd('DissolveUnit', '/units/:unitId/dissolve'),
  cmd('DraftPlan', '/plans'),
  cmd('RevisePlanDraft', '/plans/:planId/revise'),
  cmd('SubmitPlan', '/plans/:planId/submit'),
  cmd('ReturnPlan', '/plans/:planId/return'),
  cmd('ApprovePlan', '/plans/:planId/approve'),
  cmd('SubmitPlanAmendment', '/plans/:planId/amendments'),
  cmd('ApprovePlanAmendment', '/plans/:planId/amendments/:amendmentId/approve'),
  cmd('ReturnPlanAmendment', '/plans/:planId/amendments/:amendmentId/return'),
  cmd('SubmitMonthlyTaskReport', '/plans/:planId/monthly-reports'),
  cmd('CorrectMonthlyTaskReport', '/monthly-reports/:reportId/correct'),
  cmd('ReviewMonthlyTaskReport', '/monthly-reports/:reportId/review'),
  cmd('SubmitSummary', '/plans/:planId/summaries'),
  cmd('EstablishRule', '/rules'),
  cmd('RepealRule', '/rules/:ruleId/repeal'),
  qry('GetCampaign', '/campaigns/:campaignId'),
  qry('ListCampaigns', '/campaigns'),
  qry('GetStandardsCatalog', '/campaigns/:campaignId/catalog'),
  qry('GetUnit', '/units/:unitId'),
  qry('ListUnits', '/units'),
  qry('GetPlan', '/plans/:planId'),
  qry('ListPlans', '/plans'),
  qry('GetMonthlyTaskReport', '/monthly-reports/:reportId'),
  qry('ListMonthlyTaskReports', '/monthly-reports'),
  qry('ListSummaries', '/summaries'),
  qry('ListRules', '/rules'),
  qry('ListReviewQueue', '/review-queue'),
  qry('GetUnitStatus', '/units/:unitId/status'),
  qry('ListOverdueTasks', '/overdue/tasks'),
  qry('ListOverdueMonthlyReports', '/overdue/monthly-reports'),
];

export const HTTP_PREFIX = '/api/plan-submission';

export const PROTO_PACKAGE = 'wenming.plansubmission.v1';
