// Every operation of InspectionService, once: its rpc name, and where HTTP serves it.
// Both edges call the same application handler or query with proto3 JSON. The
// HTTP-only ones (a `like` rpc named) are conveniences over the same read models whose
// gRPC equivalent is a filter of ListRectifications, GetUnitScores or StreamRectificationSteps.
import { command as cmd, type Operation, query as qry } from '@wenming/service-kit';

export const OPERATIONS: readonly Operation[] = [
  cmd('ScheduleInspection', '/inspections'),
  cmd('RescheduleInspection', '/inspections/:inspectionId/reschedule'),
  cmd('CancelInspection', '/inspections/:inspectionId/cancel'),
  cmd('DrawSpotCheck', '/draws'),
  cmd('StartInspection', '/inspections/:inspectionId/start'),
  cmd('AttachEvidence', '/inspections/:inspectionId/evidence'),
  cmd('RecordFinding', '/inspections/:inspectionId/findings'),
  cmd('AmendFinding', '/inspections/:inspectionId/findings/:findingId/amend'),
  cmd('WithdrawFinding', '/inspections/:inspectionId/findings/:findingId/withdraw'),
  cmd('ScoreCriterion', '/inspections/:inspectionId/scores'),
  cmd('CorrectCriterionScore', '/inspections/:inspectionId/scores/correct'),
  cmd('RecordVetoCondition', '/inspections/:inspectionId/vetoes'),
  cmd('CompleteInspection', '/inspections/:inspectionId/complete'),
  cmd('OrderRectification', '/rectifications'),
  cmd('AcknowledgeRectification', '/rectifications/:rectificationId/acknowledge'),
  cmd('SubmitRectificationMeasures', '/rectifications/:rectificationId/measures'),
  cmd('ReportRectificationProgress', '/rectifications/:rectificationId/progress'),
  cmd('RequestRectificationExtension', '/rectifications/:rectificationId/extensions'),
  cmd('GrantRectificationExtension', '/rectifications/:rectificationId/extensions/:requestId/grant'),
  cmd('RefuseRectificationExtension', '/rectifications/:rectificationId/extensions/:requestId/refuse'),
  cmd('ReportRectificationCompletion', '/rectifications/:rectificationId/completion'),
  cmd('PassRectificationVerification', '/rectifications/:rectificationId/verification/pass'),
  cmd('FailRectificationVerification', '/rectifications/:rectificationId/verification/fail'),
  cmd('CloseRectification', '/rectifications/:rectificationId/close'),
  cmd('CloseRectificationNotRectifiable', '/rectifications/:rectificationId/close-not-rectifiable'),
  cmd('RegressRectification', '/rectifications/:rectificationId/regress'),
  qry('GetInspection', '/inspections/:inspectionId'),
  qry('ListInspections', '/inspections'),
  qry('GetInspectionReport', '/inspections/:inspectionId/report', 'GetInspection'),
  qry('GetDraw', '/draws/:drawId'),
  qry('VerifyDraw', '/draws/:drawId/verify'),
  qry('ListFindings', '/findings'),
  qry('GetRectification', '/rectifications/:rectificationId'),
  qry('ListRectifications', '/rectifications'),
  qry('ListDueRectifications', '/rectifications-due', 'ListRectifications'),
  qry('ListOverdueRectifications', '/rectifications-overdue', 'ListRectifications'),
  qry('CountRectifications', '/rectifications-counts', 'ListRectifications'),
  qry('ListRectificationSteps', '/rectifications/:rectificationId/steps', 'GetRectification'),
  qry('GetUnitScores', '/units/:unitId/scores'),
];

export const HTTP_PREFIX = '/api/inspection';

export const PROTO_PACKAGE = 'wenming.inspection.v1';
