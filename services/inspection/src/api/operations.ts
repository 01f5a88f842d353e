// Every operation of InspectionService, once: its rpc name, and where HTTP serves it.
// Both edges call the same application handler or query with proto3 JSON. The
// `httpOnly` ones are conveniences over the same read models whose gRPC equivalent
// is a filter of ListRectifications, GetUnitScores or StreamRectificationSteps.
export type HttpMethod = 'GET' | 'POST';
export interface Operation {
  rpc: string;
  method: HttpMethod;
  /** Under /api/inspection; `:name` params are fields of the request. */
  path: string;
  kind: 'command' | 'query';
  httpOnly?: boolean;
  /** The request message an HTTP-only operation takes its parameters from (its rpc's own otherwise). */
  request?: string;
}

const cmd = (rpc: string, path: string): Operation => ({ rpc, method: 'POST', path, kind: 'command' });
const qry = (rpc: string, path: string, like?: string): Operation => ({
  rpc,
  method: 'GET',
  path,
  kind: 'query',
  ...(like ? { httpOnly: true, request: `${like}Request` } : {}),
});

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

/** The fully-qualified request message whose proto3 JSON the operation's HTTP body or query string is. */
export function requestType(op: Operation): string {
  return `${PROTO_PACKAGE}.${op.request ?? `${op.rpc}Request`}`;
}
