// One readable line per event for the timeline and the dossier: English, with the
// Chinese domain term of the seeds where there is one. Every type not listed here
// still gets a line (type, the data's salient fields), so a new event type of any
// service shows up in the timeline the day it is first recorded.
import { type Data, dataOf, type HistoryEvent, str } from './history-event.js';

export type BoundedContext = 'plansubmission' | 'inspection' | 'supervision' | 'awards' | 'lookback' | 'unknown';

interface Describer {
  context: BoundedContext;
  /** The seeds' term, shown in the line. */
  zh: string;
  line: (d: Data) => string;
}

const points = (p: unknown): string | undefined => {
  const h = (p as { hundredths?: unknown } | undefined)?.hundredths;
  return typeof h === 'number' ? (h / 100).toString() : undefined;
};
const join = (...parts: (string | false | undefined)[]): string =>
  parts.filter((p): p is string => typeof p === 'string' && p !== '').join(', ');
const q = (text: unknown, max = 80): string | undefined => {
  const s = str(text);
  if (s === undefined) return undefined;
  return s.length > max ? `“${s.slice(0, max - 1)}…”` : `“${s}”`;
};
const enumName = (value: unknown, prefix: string): string | undefined => {
  const s = str(value);
  return s?.startsWith(prefix) ? s.slice(prefix.length).toLowerCase().replaceAll('_', ' ') : s;
};
const person = (p: unknown): string | undefined => str((p as { name?: unknown } | undefined)?.name);

const d = (context: BoundedContext, zh: string, line: (d: Data) => string): Describer => ({ context, zh, line });
const P = 'plansubmission' as const;
const I = 'inspection' as const;
const S = 'supervision' as const;
const A = 'awards' as const;
const L = 'lookback' as const;

const DESCRIBERS: Record<string, Describer> = {
  // ── plan-submission ──
  CampaignDefined: d(P, '创建活动', (x) => join(`Campaign ${str(x.campaignId) ?? ''} defined`, q(x.title))),
  CampaignUnitsEnrolled: d(P, '参加单位', (x) => `Enrolled in campaign ${str(x.campaignId) ?? ''}`),
  CampaignUnitsWithdrawn: d(P, '退出', (x) => `Withdrawn from campaign ${str(x.campaignId) ?? ''}`),
  UnitRegistered: d(P, '单位', (x) =>
    join(`Unit ${str(x.unitId) ?? ''} registered`, q(x.name), str(x.parentUnitId) && `under ${str(x.parentUnitId)}`),
  ),
  UnitDetailsChanged: d(P, '单位', (x) => join('Unit details changed', q(x.name))),
  UnitMoved: d(P, '单位隶属', (x) => join(`Unit moved to ${str(x.toParentUnitId) ?? '?'}`, q(x.reason))),
  FirstResponsiblePersonNamed: d(P, '第一责任人', (x) => `First responsible person: ${person(x.person) ?? '?'}`),
  UnitCampaignOfficeDesignated: d(P, '创建办', (x) => join('Campaign office designated', q(x.officeName))),
  UnitDissolved: d(P, '撤销', (x) => join('Unit dissolved', q(x.reason))),
  PlanDrafted: d(P, '创建实施方案', (x) => join(`Plan ${str(x.planId) ?? ''} drafted`, q((x.content as Data | undefined)?.title))),
  PlanDraftRevised: d(P, '修改方案', (x) => join(`Plan ${str(x.planId) ?? ''} revised`, q(x.changeNote))),
  PlanSubmitted: d(P, '报送审核', (x) =>
    join(`Plan ${str(x.planId) ?? ''} submitted (submission ${str(x.submission) ?? '?'})`, x.late === true && 'late'),
  ),
  PlanReturned: d(
    P,
    '退回修改',
    (x) => `Plan ${str(x.planId) ?? ''} returned with ${Array.isArray(x.comments) ? x.comments.length : 0} comment(s)`,
  ),
  PlanApproved: d(P, '审核通过', (x) =>
    join(
      `Plan ${str(x.planId) ?? ''} approved as version ${str(x.version) ?? '?'}`,
      str(x.effectiveDate) && `effective ${str(x.effectiveDate)}`,
    ),
  ),
  PlanAmendmentSubmitted: d(P, '方案调整', (x) => join(`Plan amendment ${str(x.amendmentId) ?? ''} submitted`, q(x.reason))),
  PlanAmendmentApproved: d(P, '方案调整', (x) => `Plan amendment ${str(x.amendmentId) ?? ''} approved (version ${str(x.version) ?? '?'})`),
  PlanAmendmentReturned: d(P, '方案调整', (x) => `Plan amendment ${str(x.amendmentId) ?? ''} returned`),
  MonthlyTaskReportSubmitted: d(P, '每月完成工作任务考核表', (x) =>
    join(`Monthly task report ${str(x.month) ?? str(x.reportId) ?? ''} submitted`, x.late === true && 'late'),
  ),
  MonthlyTaskReportCorrected: d(P, '考核表更正', (x) => join(`Monthly task report ${str(x.reportId) ?? ''} corrected`, q(x.reason))),
  MonthlyTaskReportReviewed: d(P, '考核表审核', (x) =>
    join(`Monthly task report ${str(x.reportId) ?? ''} reviewed: ${enumName(x.verdict, 'REPORT_VERDICT_') ?? '?'}`, q(x.comment)),
  ),
  SummarySubmitted: d(P, '工作总结', (x) => join(`Summary ${str(x.summaryId) ?? ''} submitted`, enumName(x.kind, 'SUMMARY_KIND_'))),
  RuleEstablished: d(P, '建章立制', (x) => join(`Rule ${str(x.ruleId) ?? ''} established`, q(x.title))),
  RuleRepealed: d(P, '废止制度', (x) => join(`Rule ${str(x.ruleId) ?? ''} repealed`, q(x.reason))),
  // ── inspection ──
  InspectionScheduled: d(I, '检查', (x) =>
    join(`Inspection ${str(x.inspectionId) ?? ''} scheduled (${enumName(x.kind, 'INSPECTION_KIND_') ?? 'inspection'})`, q(x.title)),
  ),
  InspectionRescheduled: d(I, '检查改期', (x) => join(`Inspection ${str(x.inspectionId) ?? ''} rescheduled`, q(x.reason))),
  InspectionCancelled: d(I, '检查取消', (x) => join(`Inspection ${str(x.inspectionId) ?? ''} cancelled`, q(x.reason))),
  InspectionStarted: d(I, '检查开始', (x) => `Inspection ${str(x.inspectionId) ?? ''} started`),
  EvidenceAttached: d(I, '证据', (x) => join('Evidence attached', q((x.evidence as Data | undefined)?.fileName))),
  FindingRecorded: d(I, '发现问题', (x) =>
    join(
      `Finding ${str(x.findingId) ?? ''} (${enumName(x.severity, 'SEVERITY_') ?? '?'})`,
      q(x.description),
      x.publicConcern === true && 'public concern 群众关心',
    ),
  ),
  FindingAmended: d(I, '问题更正', (x) => join(`Finding ${str(x.findingId) ?? ''} amended`, q(x.reason))),
  FindingWithdrawn: d(I, '问题撤回', (x) => join(`Finding ${str(x.findingId) ?? ''} withdrawn`, q(x.reason))),
  CriterionScored: d(I, '考核评分', (x) => {
    const s = (x.score ?? {}) as Data;
    return join(
      `Criterion ${str(s.criterionId) ?? '?'} scored ${points(s.points) ?? '?'}/${points(s.maxPoints) ?? '?'}`,
      q(s.deductionReason),
    );
  }),
  CriterionScoreCorrected: d(I, '评分更正', (x) => {
    const s = (x.score ?? {}) as Data;
    return join(`Criterion ${str(s.criterionId) ?? '?'} score corrected to ${points(s.points) ?? '?'}`, q(x.reason));
  }),
  VetoConditionFound: d(I, '一票否决', (x) => join(`Veto condition ${str(x.vetoConditionId) ?? ''} found`, q(x.description))),
  InspectionCompleted: d(I, '检查完成', (x) => join(`Inspection ${str(x.inspectionId) ?? ''} completed`, q(x.summary))),
  SpotCheckDrawn: d(I, '双随机抽查', (x) => `Spot check drawn (seed ${str(x.seed) ?? '?'})`),
  RectificationOrdered: d(I, '整改', (x) =>
    join(
      `Rectification ${str(x.rectificationId) ?? ''} ordered`,
      q(x.requirements),
      str(x.deadlineDate) && `deadline ${str(x.deadlineDate)}`,
    ),
  ),
  RectificationAcknowledged: d(
    I,
    '整改签收',
    (x) => `Rectification ${str(x.rectificationId) ?? ''} acknowledged by ${person(x.responsiblePerson) ?? '?'}`,
  ),
  RectificationMeasuresSubmitted: d(
    I,
    '整改措施',
    (x) => `Rectification measures submitted (${Array.isArray(x.measures) ? x.measures.length : 0})`,
  ),
  RectificationProgressReported: d(I, '整改进展', (x) =>
    join(`Rectification progress step ${str(x.step) ?? '?'}`, str(x.percentComplete) && `${str(x.percentComplete)}%`, q(x.description)),
  ),
  RectificationExtensionRequested: d(I, '申请延期', (x) =>
    join(`Extension requested to ${str(x.requestedDeadlineDate) ?? '?'}`, q(x.reason)),
  ),
  RectificationExtensionGranted: d(I, '同意延期', (x) => `Extension granted to ${str(x.newDeadlineDate) ?? '?'}`),
  RectificationExtensionRefused: d(I, '不同意延期', (x) => join('Extension refused', q(x.reason))),
  RectificationCompletionReported: d(I, '整改完成报告', (x) => join('Rectification completion reported', q(x.summary))),
  RectificationVerificationPassed: d(I, '验收通过', (x) => join('Rectification verification passed', q(x.comment))),
  RectificationVerificationFailed: d(I, '验收不合格', (x) =>
    join(
      'Rectification verification failed',
      Array.isArray(x.reasons) ? q(x.reasons.join('; ')) : undefined,
      str(x.newDeadlineDate) && `new deadline ${str(x.newDeadlineDate)}`,
    ),
  ),
  RectificationClosed: d(I, '整改销号', (x) => join(`Rectification ${str(x.rectificationId) ?? ''} closed`, q(x.comment))),
  RectificationClosedNotRectifiable: d(I, '无法整改', (x) =>
    join(`Rectification ${str(x.rectificationId) ?? ''} closed as not rectifiable`, q(x.reason)),
  ),
  RectificationRegressed: d(I, '问题反弹', (x) =>
    join(
      `Rectification ${str(x.rectificationId) ?? ''} regressed`,
      str(x.lookbackReviewId) && `look-back ${str(x.lookbackReviewId)}`,
      q(x.description),
    ),
  ),
  // ── supervision ──
  TimeLimitStarted: d(S, '限时办结', (x) => `Time limit ${str(x.timeLimitId) ?? ''} started, due ${str(x.dueDate) ?? '?'}`),
  TimeLimitExtended: d(S, '延长时限', (x) => `Time limit extended to ${str(x.newDueDate) ?? str(x.dueDate) ?? '?'}`),
  TimeLimitSuspended: d(S, '中止计时', (x) => join('Time limit suspended', q(x.reason))),
  TimeLimitResumed: d(S, '恢复计时', () => 'Time limit resumed'),
  TimeLimitMet: d(S, '按时办结', () => 'Time limit met'),
  TimeLimitBreached: d(S, '超时', () => 'Time limit breached'),
  TimeLimitCompletedLate: d(S, '超时办结', () => 'Completed late'),
  TimeLimitCancelled: d(S, '取消计时', (x) => join('Time limit cancelled', q(x.reason))),
  WarningIssued: d(S, '预警', () => 'Warning issued'),
  YellowCardIssued: d(S, '黄牌', (x) =>
    join('Yellow card issued', str(x.noticeDeadlineDate) && `限期办理 by ${str(x.noticeDeadlineDate)}`),
  ),
  RedCardIssued: d(S, '红牌', () => 'Red card issued'),
  EscalatedToAccountability: d(S, '移交问责', () => 'Escalated to accountability'),
  AlarmDisputed: d(S, '异议', (x) => join('Alarm disputed', q(x.reason))),
  AlarmCorrected: d(S, '更正', (x) => join('Alarm corrected', q(x.reason))),
  AlarmDisputeRejected: d(S, '异议驳回', (x) => join('Alarm dispute rejected', q(x.reason))),
  ComplaintReceived: d(S, '投诉', (x) =>
    join(
      `Complaint ${str(x.complaintId) ?? ''} received via ${enumName(x.channel, 'COMPLAINT_CHANNEL_') ?? '?'}`,
      q(x.summary),
      x.publicConcern === true && 'public concern 群众关心',
    ),
  ),
  FirstResponderAssigned: d(S, '首问负责', (x) => `First responder assigned: ${person(x.responder) ?? str(x.responderId) ?? '?'}`),
  ComplaintForwarded: d(S, '转办', (x) => `Complaint forwarded to ${str(x.toUnitId) ?? str(x.unitId) ?? '?'}`),
  ComplaintReplied: d(S, '答复', (x) => join('Complaint replied', q(x.reply ?? x.summary))),
  ComplaintFollowUpVisited: d(S, '回访', () => 'Follow-up visit 回访'),
  ComplainantSatisfied: d(S, '满意', () => 'Complainant satisfied'),
  ComplainantNotSatisfied: d(S, '不满意', (x) => join('Complainant not satisfied', q(x.reason))),
  ComplaintReopened: d(S, '重新办理', (x) => join('Complaint reopened', q(x.reason))),
  ComplaintClosed: d(S, '办结', () => 'Complaint closed (solved)'),
  ComplaintClosedNotSolved: d(S, '未解决办结', (x) => join('Complaint closed — not solved', q(x.reason))),
  AccountabilityCaseOpened: d(S, '效能问责', (x) => join(`Accountability case ${str(x.caseId) ?? ''} opened`, q(x.summary))),
  AccountabilityInvestigationStarted: d(S, '调查', () => 'Accountability investigation started'),
  AccountabilityFactsRecorded: d(S, '查明事实', () => 'Accountability facts recorded'),
  AccountabilityMeasuresDecided: d(
    S,
    '问责决定',
    (x) =>
      `Accountability measures decided: ${Array.isArray(x.measures) ? x.measures.map((m) => enumName((m as Data).kind, 'MEASURE_KIND_') ?? '?').join(', ') : '?'}`,
  ),
  AccountabilityCaseDismissed: d(S, '不予问责', (x) => join('Accountability case dismissed', q(x.reason))),
  AccountabilityCaseClosed: d(S, '结案', () => 'Accountability case closed'),
  // ── awards ──
  DemocraticAppraisalRecorded: d(A, '民主评议', () => 'Democratic appraisal recorded'),
  SelfAssessmentSubmitted: d(A, '自评', () => 'Self-assessment submitted'),
  PeerAssessmentSubmitted: d(A, '互评', () => 'Peer assessment submitted'),
  OverallAssessmentRecorded: d(A, '综合考评', () => 'Overall assessment recorded'),
  VetoApplied: d(A, '一票否决', (x) => join('Veto applied', q(x.reason ?? x.description))),
  VetoWithdrawn: d(A, '撤销否决', (x) => join('Veto withdrawn', q(x.reason))),
  ScoreSheetComputed: d(A, '评分表', (x) =>
    join(`Score sheet ${str(x.sheetId) ?? ''} computed`, points(x.total) && `total ${points(x.total)}`),
  ),
  ScoreSheetAdjusted: d(A, '评分调整', (x) => join('Score sheet adjusted', q(x.reason))),
  TitleAwarded: d(A, '授予称号', (x) =>
    join(`Title ${enumName(x.title, 'TITLE_KIND_') ?? '?'} awarded`, points(x.score) && `score ${points(x.score)}`),
  ),
  TitleNotAwarded: d(A, '未授予', (x) => join(`Title ${enumName(x.title, 'TITLE_KIND_') ?? '?'} not awarded`, q(x.reason))),
  TitleRetained: d(A, '保留称号', () => 'Title retained (动态管理)'),
  TitleRevoked: d(A, '撤销称号', (x) => join(`Title ${enumName(x.title, 'TITLE_KIND_') ?? ''} revoked`, q(x.explanation))),
  TitleExpired: d(A, '称号到期', () => 'Title expired'),
  CivilizedUnitRecommended: d(A, '推荐文明单位', () => 'Recommended as civilized unit 文明单位'),
  // ── lookback ──
  LookbackReviewOpened: d(L, '回头看', (x) => join(`Look-back review ${str(x.reviewId) ?? ''} opened`, q(x.title))),
  LookbackCheckRecorded: d(L, '回头看检查', (x) =>
    join(`Look-back check ${enumName(x.check, 'LOOKBACK_CHECK_') ?? '?'}: ${enumName(x.result, 'CHECK_RESULT_') ?? '?'}`, q(x.notes)),
  ),
  RecurrenceFound: d(L, '问题反弹', (x) => join(`Recurrence of rectification ${str(x.rectificationId) ?? '?'} found`, q(x.description))),
  RectificationRegressionRecorded: d(
    L,
    '问题反弹',
    (x) => `Inspection recorded rectification ${str(x.rectificationId) ?? '?'} as regressed`,
  ),
  RectificationRegressionFailed: d(L, '问题反弹', (x) =>
    join(`Regressing rectification ${str(x.rectificationId) ?? '?'} failed (${str(x.code) ?? '?'})`, q(x.message)),
  ),
  TitleRevocationRecommended: d(L, '建议撤销称号', (x) => join(`Title revocation recommended (${str(x.awardId) ?? '?'})`, q(x.reason))),
  LookbackReviewConcluded: d(L, '回头看结论', (x) => join('Look-back review concluded', q(x.conclusion))),
  IntegrityChecked: d(L, '完整性校验', (x) => `Integrity checked: ${x.intact === true ? 'intact' : 'BROKEN'}`),
  DossierExported: d(L, '创建活动档案', (x) => `Dossier exported (${str(x.eventCount) ?? '?'} events)`),
};

const CATEGORY_CONTEXT: Record<string, BoundedContext> = {
  campaign: P,
  unit: P,
  plan: P,
  'task-report': P,
  summary: P,
  rule: P,
  inspection: I,
  rectification: I,
  finding: I,
  draw: I,
  'time-limit': S,
  complaint: S,
  alarm: S,
  case: S,
  accountability: S,
  calendar: S,
  appraisal: A,
  award: A,
  title: A,
  'score-sheet': A,
  lookback: L,
  'integrity-check': L,
  dossier: L,
};

export function contextOf(event: Pick<HistoryEvent, 'type' | 'streamId'>): BoundedContext {
  const known = DESCRIBERS[event.type]?.context;
  if (known) return known;
  for (const [category, context] of Object.entries(CATEGORY_CONTEXT)) if (event.streamId.startsWith(`${category}-`)) return context;
  return 'unknown';
}

/** The seeds' term for a type, when it has one. */
export function chineseTerm(type: string): string | undefined {
  return DESCRIBERS[type]?.zh;
}

const MAX_SUMMARY = 240;

/** "Rectification r-1 ordered, “窗口公示栏信息过期”, deadline 2025-04-30 · 整改". */
export function summarize(event: Pick<HistoryEvent, 'type' | 'data' | 'streamId'>): string {
  const describer = DESCRIBERS[event.type];
  const data = dataOf(event as HistoryEvent);
  let line: string;
  if (describer) {
    try {
      line = `${describer.line(data)} · ${describer.zh}`;
    } catch {
      line = genericLine(event.type, data);
    }
  } else {
    line = genericLine(event.type, data);
  }
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}

/** Unknown types: the type in words and the first scalar fields of the data. */
function genericLine(type: string, data: Data): string {
  const words = type.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  const fields: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (fields.length >= 4) break;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const text = String(value);
      fields.push(`${key}=${text.length > 40 ? `${text.slice(0, 39)}…` : text}`);
    }
  }
  return fields.length > 0 ? `${words} (${fields.join(', ')})` : words;
}
