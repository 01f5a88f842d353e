// The demo city's inspections, findings, scores and rectifications, loaded through
// the inspection service's public HTTP API (/api/inspection) after the campaign,
// units and plans: a routine 日常检查, a special 专项督查, an unannounced 暗访 visit
// and a key spot check 重点抽查 from a recorded 双随机 draw; findings with evidence
// references and criterion scores against the six-types catalog; and one
// rectification in every state of its lifecycle, each driven by the role that
// takes the step (the inspector orders and verifies, the unit acknowledges and
// reports, the office decides extensions and closes as not rectifiable). Every
// command has a fixed idempotency key, so a second run appends nothing.
import { createHash } from 'node:crypto';
import type { Role } from '@wenming/service-kit';
import type { RunningPlatform } from '../platform.js';

// biome-ignore lint/suspicious/noExplicitAny: proto3 JSON answers of the HTTP API
type Json = Record<string, any>;

/** Who calls: the token's roles, units and subject (an inspector acts under its own id). */
export interface Caller {
  roles: Role[];
  units?: string[];
  sub?: string;
}

export interface DemoApi {
  post(path: string, key: string, body: unknown, as: Caller): Promise<Json>;
  get(path: string, as: Caller): Promise<Json>;
}

/** The lifecycle states the demo shows, in lifecycle order (also the summary's order). */
export const RECTIFICATION_STATES = [
  'ordered',
  'acknowledged',
  'measures submitted',
  'progress reported',
  'extension requested',
  'extension granted',
  'extension refused',
  'completion reported',
  'verification failed (reopened)',
  'verified',
  'closed',
  'closed not rectifiable',
  'regressed',
] as const;
export type DemoRectificationState = (typeof RECTIFICATION_STATES)[number];

/** Where a rectification of the HTTP API's Rectification view stands. */
export function rectificationState(r: Json): DemoRectificationState {
  switch (r.status) {
    case 'RECTIFICATION_STATUS_CLOSED_NOT_RECTIFIABLE':
      return 'closed not rectifiable';
    case 'RECTIFICATION_STATUS_CLOSED':
      return 'closed';
    case 'RECTIFICATION_STATUS_VERIFIED':
      return 'verified';
    case 'RECTIFICATION_STATUS_AWAITING_VERIFICATION':
      return 'completion reported';
    case 'RECTIFICATION_STATUS_REOPENED':
      return (r.regressions ?? 0) > 0 ? 'regressed' : 'verification failed (reopened)';
  }
  const lastExtension = (r.extensions ?? []).at(-1)?.decision;
  if (lastExtension === 'EXTENSION_DECISION_PENDING') return 'extension requested';
  if (lastExtension === 'EXTENSION_DECISION_GRANTED') return 'extension granted';
  if (lastExtension === 'EXTENSION_DECISION_REFUSED') return 'extension refused';
  if ((r.progressSteps ?? 0) > 0) return 'progress reported';
  if ((r.measures ?? []).length > 0) return 'measures submitted';
  if (r.responsiblePerson?.name) return 'acknowledged';
  return 'ordered';
}

const CAMPAIGN = 'demo-2026';
const OFFICE: Caller = { roles: ['office'], sub: 'demo-office' };
const inspector = (id: string): Caller => ({ roles: ['inspector'], sub: id });
const unitCaller = (unitId: string): Caller => ({ roles: ['unit'], units: [unitId], sub: `demo-clerk-${unitId}` });

const INSPECTORS = [
  { inspectorId: 'insp-zhang', name: '张建国' },
  { inspectorId: 'insp-li', name: '李秀英' },
  { inspectorId: 'insp-wang', name: '王立新' },
  { inspectorId: 'insp-zhao', name: '赵明' },
];

/** A calendar day `offset` days from the day the demo first runs (UTC, as the services count). */
function day(offset: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

/** An evidence reference: the file lives in the archive; the platform keeps its name and digest. */
function evidence(fileName: string, by: string, on: string, mediaType = 'image/jpeg') {
  return {
    fileName,
    mediaType,
    sha256: createHash('sha256').update(`wenming-demo:${fileName}`).digest('hex'),
    attachedBy: { id: by, role: by.startsWith('insp-') ? 'ROLE_INSPECTOR' : 'ROLE_UNIT' },
    attachedAt: `${on}T09:30:00+08:00`,
    showsUnitName: true,
  };
}

type Step =
  | 'ack'
  | 'measures'
  | 'progress'
  | 'extensionRequest'
  | 'extensionGrant'
  | 'extensionRefuse'
  | 'completion'
  | 'fail'
  | 'pass'
  | 'close'
  | 'notRectifiable'
  | 'regress';

/** Each finding of the demo, and the steps its rectification has been driven through. */
interface DemoFinding {
  findingId: string;
  inspectionId: string;
  unitId: string;
  criterionId: string;
  severity: 'SEVERITY_MINOR' | 'SEVERITY_GENERAL' | 'SEVERITY_SERIOUS';
  description: string;
  photos: string[];
  by: string;
  requirements: string;
  deadlineDays: number;
  steps: Step[];
}

export interface DemoInspectionsSummary {
  inspections: Array<{ inspectionId: string; kind: string; units: number; status: string }>;
  findings: number;
  scores: number;
  drawnUnitIds: string[];
  rectifications: Partial<Record<DemoRectificationState, number>>;
}

export async function loadDemoInspections(api: DemoApi, platform: RunningPlatform): Promise<DemoInspectionsSummary> {
  await waitForCatalog(platform);
  const visit = day(-10);
  const routine = `${CAMPAIGN}-routine-q4`;
  const special = `${CAMPAIGN}-special-efficiency`;
  const unannounced = `${CAMPAIGN}-unannounced-windows`;
  const spotCheck = `${CAMPAIGN}-spot-check-q4`;
  const drawId = `${CAMPAIGN}-draw-q4`;

  // ── Scheduling (the office) ──
  await api.post(
    '/inspections',
    `insp:${routine}:schedule`,
    {
      inspectionId: routine,
      campaignId: CAMPAIGN,
      kind: 'INSPECTION_KIND_ROUTINE',
      title: '第四季度日常检查',
      scope: '六型机关创建：学习、服务、效率',
      unitIds: ['tax', 'tax-window-1', 'approval-window-3', 'civil-marriage'],
      inspectors: [
        { inspectorId: 'insp-zhang', name: '张建国', leader: true },
        { inspectorId: 'insp-li', name: '李秀英' },
      ],
      plannedDates: { startDate: day(-12), endDate: day(-10) },
    },
    OFFICE,
  );
  await api.post(
    '/inspections',
    `insp:${special}:schedule`,
    {
      inspectionId: special,
      campaignId: CAMPAIGN,
      kind: 'INSPECTION_KIND_SPECIAL',
      title: '效率型机关专项督查：限时办结与文风会风',
      criterionIds: ['efficiency.1', 'efficiency.2'],
      unitIds: ['approval', 'approval-office', 'land-registry'],
      inspectors: [
        { inspectorId: 'insp-wang', name: '王立新', leader: true },
        { inspectorId: 'insp-zhao', name: '赵明' },
      ],
      plannedDates: { startDate: day(-11), endDate: day(-10) },
    },
    OFFICE,
  );
  // Unannounced: the windows do not see it until the team arrives; the health
  // commission is still to be visited, so it does not see it at all yet.
  await api.post(
    '/inspections',
    `insp:${unannounced}:schedule`,
    {
      inspectionId: unannounced,
      campaignId: CAMPAIGN,
      kind: 'INSPECTION_KIND_UNANNOUNCED',
      title: '窗口作风暗访',
      unitIds: ['approval-window-3', 'housing-window', 'health'],
      inspectors: [{ inspectorId: 'insp-li', name: '李秀英', leader: true }],
      plannedDates: { startDate: day(-10), endDate: day(20) },
    },
    OFFICE,
  );
  const draw = await api.post(
    '/draws',
    `draw:${drawId}`,
    {
      drawId,
      campaignId: CAMPAIGN,
      seed: `${CAMPAIGN} 第四季度双随机抽查 公开摇号 0918`,
      seedSource: '创建办公开摇号，纪检监察室现场见证',
      unitCandidates: [
        { id: 'land', name: '市国土资源局' },
        { id: 'civil', name: '市民政局' },
        { id: 'housing', name: '市住房和城乡建设局' },
        { id: 'health', name: '市卫生健康委员会' },
        { id: 'land-registry', name: '市国土资源局不动产登记处' },
        { id: 'civil-marriage', name: '市民政局婚姻登记处' },
      ],
      inspectorCandidates: INSPECTORS.map((i) => ({
        id: i.inspectorId,
        name: i.name,
        // 回避: 王立新 came from the land bureau.
        ...(i.inspectorId === 'insp-wang' ? { excludedPairings: ['land', 'land-registry'] } : {}),
      })),
      unitsToDraw: 2,
      inspectorsPerUnit: 2,
      witnesses: [{ name: '刘纪检', position: '纪检监察室主任' }],
    },
    OFFICE,
  );
  const drawn: string[] = draw.drawnUnitIds;
  const assignments: Array<{ unitId: string; inspectorIds: string[] }> = draw.assignments;
  const teamOf = (unitId: string) => assignments.find((a) => a.unitId === unitId)?.inspectorIds[0] ?? 'insp-zhang';
  await api.post(
    '/inspections',
    `insp:${spotCheck}:schedule`,
    {
      inspectionId: spotCheck,
      campaignId: CAMPAIGN,
      kind: 'INSPECTION_KIND_KEY_SPOT_CHECK',
      title: '第四季度重点抽查（双随机）',
      drawId,
      plannedDates: { startDate: day(-9), endDate: day(-8) },
    },
    OFFICE,
  );

  // ── Visits (the inspectors arrive) ──
  const visits: Array<[string, string, string]> = [
    [routine, 'tax', 'insp-zhang'],
    [routine, 'tax-window-1', 'insp-zhang'],
    [routine, 'approval-window-3', 'insp-li'],
    [routine, 'civil-marriage', 'insp-li'],
    [special, 'approval', 'insp-wang'],
    [special, 'approval-office', 'insp-wang'],
    [special, 'land-registry', 'insp-zhao'],
    [unannounced, 'approval-window-3', 'insp-li'],
    [unannounced, 'housing-window', 'insp-li'],
    ...drawn.map((u): [string, string, string] => [spotCheck, u, teamOf(u)]),
  ];
  for (const [inspectionId, unitId, by] of visits)
    await api.post(`/inspections/${inspectionId}/start`, `insp:${inspectionId}:start:${unitId}`, { unitId }, inspector(by));

  // ── Findings, with the photos taken on the spot ──
  const findings: DemoFinding[] = [
    {
      findingId: 'demo-f-tax-queue',
      inspectionId: routine,
      unitId: 'tax',
      criterionId: 'efficiency.2',
      severity: 'SEVERITY_GENERAL',
      description: '办税服务厅高峰时段排队超过40分钟，未启用预约分流',
      photos: ['tax-hall-queue-1.jpg', 'tax-hall-queue-2.jpg'],
      by: 'insp-zhang',
      requirements: '启用网上预约和高峰分流，增开潮汐窗口，排队不超过20分钟',
      deadlineDays: 45,
      steps: ['ack', 'measures', 'progress', 'progress', 'progress'],
    },
    {
      findingId: 'demo-f-tax-study',
      inspectionId: routine,
      unitId: 'tax',
      criterionId: 'learning.1',
      severity: 'SEVERITY_MINOR',
      description: '党组中心组学习记录不全，9月、10月无记录',
      photos: ['tax-study-register.jpg'],
      by: 'insp-zhang',
      requirements: '补全学习记录，建立学习考勤和考核制度',
      deadlineDays: 30,
      steps: ['ack', 'measures', 'progress', 'progress', 'progress', 'completion', 'fail'],
    },
    {
      findingId: 'demo-f-taxw1-guide',
      inspectionId: routine,
      unitId: 'tax-window-1',
      criterionId: 'service.1',
      severity: 'SEVERITY_GENERAL',
      description: '一号窗口未公示办事指南和一次性告知单',
      photos: ['tax-window-1-counter.jpg'],
      by: 'insp-zhang',
      requirements: '公示办事指南、收费标准和一次性告知单',
      deadlineDays: 15,
      steps: ['ack'],
    },
    {
      findingId: 'demo-f-aw3-timelimit',
      inspectionId: routine,
      unitId: 'approval-window-3',
      criterionId: 'efficiency.2',
      severity: 'SEVERITY_GENERAL',
      description: '三号窗口3件即办件超过承诺时限办结',
      photos: ['approval-window-3-ledger.jpg'],
      by: 'insp-li',
      requirements: '执行限时办结制，建立超时预警台账',
      deadlineDays: 20,
      steps: ['ack', 'measures', 'progress', 'completion', 'pass'],
    },
    {
      findingId: 'demo-f-cm-feedback',
      inspectionId: routine,
      unitId: 'civil-marriage',
      criterionId: 'service.2',
      severity: 'SEVERITY_MINOR',
      description: '群众意见簿10月留言未答复',
      photos: ['civil-marriage-feedback-book.jpg'],
      by: 'insp-li',
      requirements: '逐条答复群众意见，建立意见簿按周回复制度',
      deadlineDays: 10,
      steps: ['ack', 'measures', 'progress', 'completion', 'pass', 'close'],
    },
    {
      findingId: 'demo-f-appr-overdue',
      inspectionId: special,
      unitId: 'approval',
      criterionId: 'efficiency.2',
      severity: 'SEVERITY_SERIOUS',
      description: '并联审批事项超时办结率18%，部分事项无超时说明',
      photos: ['approval-parallel-report.jpg', 'approval-system-screen.jpg'],
      by: 'insp-wang',
      requirements: '梳理并联审批流程，压缩环节，超时事项逐件说明并追责',
      deadlineDays: 30,
      steps: ['ack', 'measures', 'progress', 'extensionRequest', 'extensionGrant', 'progress'],
    },
    {
      findingId: 'demo-f-appr-system',
      inspectionId: special,
      unitId: 'approval',
      criterionId: 'efficiency.2',
      severity: 'SEVERITY_GENERAL',
      description: '审批系统与省级平台数据不互通，同一申请需重复录入',
      photos: ['approval-double-entry.jpg'],
      by: 'insp-wang',
      requirements: '实现与省级平台数据对接',
      deadlineDays: 60,
      steps: ['ack', 'notRectifiable'],
    },
    {
      findingId: 'demo-f-ao-documents',
      inspectionId: special,
      unitId: 'approval-office',
      criterionId: 'efficiency.1',
      severity: 'SEVERITY_MINOR',
      description: '文件印发环节多，会签平均耗时7个工作日',
      photos: ['approval-office-routing-slip.jpg'],
      by: 'insp-wang',
      requirements: '精简会签环节，推行电子公文流转',
      deadlineDays: 40,
      steps: ['ack', 'measures'],
    },
    {
      findingId: 'demo-f-lr-promise',
      inspectionId: special,
      unitId: 'land-registry',
      criterionId: 'efficiency.2',
      severity: 'SEVERITY_GENERAL',
      description: '不动产登记公示办理时限30个工作日，超出省定承诺时限',
      photos: ['land-registry-notice-board.jpg'],
      by: 'insp-zhao',
      requirements: '一般登记压缩至5个工作日内并重新公示',
      deadlineDays: 30,
      steps: ['ack', 'measures', 'progress', 'extensionRequest'],
    },
    {
      findingId: 'demo-f-hw-absent',
      inspectionId: unannounced,
      unitId: 'housing-window',
      criterionId: 'service.1',
      severity: 'SEVERITY_GENERAL',
      description: '暗访时受理窗口人员离岗20分钟，无人值守，无去向牌',
      photos: ['housing-window-empty-1.jpg', 'housing-window-empty-2.jpg'],
      by: 'insp-li',
      requirements: '落实AB岗和去向告知制度，离岗须有人顶岗',
      deadlineDays: 15,
      steps: ['ack', 'measures', 'extensionRequest', 'extensionRefuse'],
    },
    {
      findingId: 'demo-f-aw3-badge',
      inspectionId: unannounced,
      unitId: 'approval-window-3',
      criterionId: 'service.2',
      severity: 'SEVERITY_MINOR',
      description: '窗口人员未挂牌上岗，未使用文明用语',
      photos: ['approval-window-3-no-badge.jpg'],
      by: 'insp-li',
      requirements: '全员挂牌上岗，开展文明用语培训',
      deadlineDays: 15,
      steps: ['ack', 'measures', 'progress', 'progress', 'completion'],
    },
  ];
  const [spotA, spotB] = drawn;
  if (spotA)
    findings.push({
      findingId: 'demo-f-spot-reception',
      inspectionId: spotCheck,
      unitId: spotA,
      criterionId: 'frugal.1',
      severity: 'SEVERITY_GENERAL',
      description: '公务接待清单与审批单不符，3次接待无审批',
      photos: ['spot-reception-list.jpg'],
      by: teamOf(spotA),
      requirements: '执行公务接待审批和清单制度，逐笔核对',
      deadlineDays: 20,
      steps: ['ack', 'measures', 'progress', 'progress', 'completion', 'pass', 'close', 'regress'],
    });
  if (spotB)
    findings.push({
      findingId: 'demo-f-spot-openness',
      inspectionId: spotCheck,
      unitId: spotB,
      criterionId: 'incorrupt.1',
      severity: 'SEVERITY_MINOR',
      description: '政务公开栏内容停留在上半年，办事结果未公开',
      photos: ['spot-openness-board.jpg'],
      by: teamOf(spotB),
      requirements: '按月更新政务公开栏，公开办事程序、标准和结果',
      deadlineDays: 20,
      steps: [],
    });
  for (const f of findings) {
    await api.post(
      `/inspections/${f.inspectionId}/findings`,
      `insp:${f.inspectionId}:finding:${f.findingId}`,
      {
        findingId: f.findingId,
        unitId: f.unitId,
        criterionId: f.criterionId,
        severity: f.severity,
        description: f.description,
        evidence: f.photos.map((p) => evidence(p, f.by, visit)),
        publicConcern: f.findingId === 'demo-f-hw-absent',
      },
      inspector(f.by),
    );
  }
  // A photo handed in after the visit, attached to its finding.
  await api.post(
    `/inspections/${routine}/evidence`,
    `insp:${routine}:evidence:tax-queue-3`,
    { unitId: 'tax', findingId: 'demo-f-tax-queue', evidence: evidence('tax-hall-queue-3.jpg', 'insp-zhang', visit) },
    inspector('insp-zhang'),
  );

  // ── Scores (within each criterion's maximum; a deduction names its reason and findings) ──
  const scores: Array<
    [inspectionId: string, unitId: string, criterionId: string, hundredths: number, deduction?: string, findingIds?: string[]]
  > = [
    [routine, 'tax', 'efficiency.2', 750, '高峰排队超时', ['demo-f-tax-queue']],
    [routine, 'tax', 'learning.1', 700, '学习记录不全', ['demo-f-tax-study']],
    [routine, 'tax', 'service.1', 1000],
    [routine, 'tax-window-1', 'service.1', 850, '未公示办事指南', ['demo-f-taxw1-guide']],
    [routine, 'approval-window-3', 'efficiency.2', 800, '即办件超时', ['demo-f-aw3-timelimit']],
    [routine, 'civil-marriage', 'service.2', 900, '意见簿未答复', ['demo-f-cm-feedback']],
    [routine, 'civil-marriage', 'efficiency.2', 1000],
    [special, 'approval', 'efficiency.2', 550, '并联审批超时率高；系统重复录入', ['demo-f-appr-overdue', 'demo-f-appr-system']],
    [special, 'approval', 'efficiency.1', 950, '会议数量略超计划'],
    [special, 'approval-office', 'efficiency.1', 800, '会签耗时长', ['demo-f-ao-documents']],
    [special, 'land-registry', 'efficiency.2', 700, '公示时限超出承诺', ['demo-f-lr-promise']],
  ];
  if (spotA) scores.push([spotCheck, spotA, 'frugal.1', 600, '接待无审批', ['demo-f-spot-reception']]);
  if (spotB) scores.push([spotCheck, spotB, 'incorrupt.1', 700, '政务公开不及时', ['demo-f-spot-openness']]);
  for (const [inspectionId, unitId, criterionId, hundredths, deductionReason, findingIds] of scores) {
    const by = findings.find((f) => f.inspectionId === inspectionId && f.unitId === unitId)?.by ?? 'insp-zhang';
    await api.post(
      `/inspections/${inspectionId}/scores`,
      `insp:${inspectionId}:score:${unitId}:${criterionId}`,
      {
        unitId,
        score: {
          criterionId,
          points: { hundredths },
          ...(deductionReason ? { deductionReason } : {}),
          ...(findingIds ? { findingIds } : {}),
        },
      },
      inspector(by),
    );
  }

  // ── Reports (the unannounced visit goes on: the health commission is still to come) ──
  const completions: Array<[string, string, string]> = [
    [routine, 'insp-zhang', '检查4个单位，发现问题5个，均已下达整改通知'],
    [special, 'insp-wang', '督查3个单位限时办结情况，发现问题4个，其中严重1个'],
    [spotCheck, teamOf(spotA ?? ''), '双随机抽查2个单位，发现问题2个'],
  ];
  for (const [inspectionId, by, summary] of completions)
    await api.post(
      `/inspections/${inspectionId}/complete`,
      `insp:${inspectionId}:complete`,
      { summary, report: [evidence(`${inspectionId}-report.pdf`, by, day(-7), 'application/pdf')] },
      inspector(by),
    );

  // Ordering a rectification reads the finding from the inspection's read model.
  await caughtUp(platform);

  // ── Rectifications: one in every state ──
  for (const f of findings) {
    const rectificationId = f.findingId.replace(/^demo-f-/, 'demo-r-');
    const key = (step: string) => `rect:${rectificationId}:${step}`;
    const unit = unitCaller(f.unitId);
    const path = `/rectifications/${rectificationId}`;
    const deadline = day(f.deadlineDays);
    await api.post(
      '/rectifications',
      key('order'),
      { rectificationId, findingId: f.findingId, requirements: f.requirements, deadlineDate: deadline },
      inspector(f.by),
    );
    let progress = 0;
    let extensions = 0;
    for (const [i, step] of f.steps.entries()) {
      const k = key(`${i}-${step}`);
      switch (step) {
        case 'ack':
          await api.post(`${path}/acknowledge`, k, { responsiblePerson: { name: '分管副局长', position: '整改第一责任人' } }, unit);
          break;
        case 'measures':
          await api.post(
            `${path}/measures`,
            k,
            {
              measures: [
                {
                  measureId: 'm1',
                  description: `${f.requirements}：制定整改方案`,
                  owner: { name: '办公室主任' },
                  plannedCompletionDate: day(5),
                },
                {
                  measureId: 'm2',
                  description: '建立长效机制，纳入月度考核',
                  owner: { name: '分管副局长' },
                  plannedCompletionDate: deadline,
                },
              ],
              documents: [evidence(`${rectificationId}-plan.pdf`, unit.sub!, day(-5), 'application/pdf')],
            },
            unit,
          );
          break;
        case 'progress':
          progress++;
          await api.post(
            `${path}/progress`,
            k,
            {
              description: `第${progress}阶段整改：${progress === 1 ? '方案已印发，责任到人' : progress === 2 ? '制度已修订，现场已整改' : '整改到位，进入自查'}`,
              measureIds: progress === 1 ? ['m1'] : ['m1', 'm2'],
              percentComplete: Math.min(progress * 30, 90),
              evidence: [evidence(`${rectificationId}-progress-${progress}.jpg`, unit.sub!, day(-5 + progress))],
            },
            unit,
          );
          break;
        case 'extensionRequest':
          extensions++;
          await api.post(
            `${path}/extensions`,
            k,
            { requestedDeadlineDate: day(f.deadlineDays + 30), reason: '需省级部门配合调整系统，原期限内无法完成' },
            unit,
          );
          break;
        case 'extensionGrant':
          await api.post(`${path}/extensions/ext-${extensions}/grant`, k, { comment: '同意延期30天，按周报送进展' }, OFFICE);
          break;
        case 'extensionRefuse':
          await api.post(`${path}/extensions/ext-${extensions}/refuse`, k, { reason: '离岗问题属作风问题，应立行立改，不予延期' }, OFFICE);
          break;
        case 'completion':
          await api.post(
            `${path}/completion`,
            k,
            { summary: '各项措施已落实，申请验收', evidence: [evidence(`${rectificationId}-done.jpg`, unit.sub!, day(-1))] },
            unit,
          );
          break;
        case 'fail':
          await api.post(
            `${path}/verification/fail`,
            k,
            { reasons: ['11月学习记录仍不完整', '考核制度未经党组审议印发'], newDeadlineDate: day(f.deadlineDays + 15) },
            inspector(f.by),
          );
          break;
        case 'pass':
          await api.post(
            `${path}/verification/pass`,
            k,
            { comment: '现场复查，整改到位', evidence: [evidence(`${rectificationId}-verified.jpg`, f.by, day(0))] },
            inspector(f.by),
          );
          break;
        case 'close':
          await api.post(`${path}/close`, k, { comment: '验收合格，销号' }, inspector(f.by));
          break;
        case 'notRectifiable':
          await api.post(
            `${path}/close-not-rectifiable`,
            k,
            {
              reason: '审批系统由省级部门统一建设，市级无改造权限，已书面报省厅',
              compensatingMeasures: '安排专人双录并当日核对，待省级平台升级后对接',
              approvedBy: { name: '创建办主任', position: '市创建办' },
            },
            OFFICE,
          );
          break;
        case 'regress':
          await api.post(
            `${path}/regress`,
            k,
            {
              lookbackReviewId: `${CAMPAIGN}-lookback-1`,
              description: '回头看发现接待清单又出现无审批接待2次',
              evidence: [evidence(`${rectificationId}-lookback.jpg`, 'demo-office', day(0))],
              newDeadlineDate: day(30),
            },
            OFFICE,
          );
          break;
      }
    }
  }

  await caughtUp(platform);
  const listed = await api.get(`/rectifications?campaignId=${CAMPAIGN}&pageSize=1000`, OFFICE);
  const byState: Partial<Record<DemoRectificationState, number>> = {};
  for (const r of listed.rectifications as Json[]) {
    const s = rectificationState(r);
    byState[s] = (byState[s] ?? 0) + 1;
  }
  const inspections = ((await api.get(`/inspections?campaignId=${CAMPAIGN}`, OFFICE)).inspections as Json[]).map((i) => ({
    inspectionId: i.inspectionId,
    kind: i.kind,
    units: i.unitIds.length,
    status: i.status,
  }));
  return { inspections, findings: findings.length, scores: scores.length, drawnUnitIds: drawn, rectifications: byState };
}

/** The catalog reaches inspection from plan-submission's events over the bus. */
async function waitForCatalog(platform: RunningPlatform): Promise<void> {
  const catalogs = platform.readStore.collection<{ criteria?: unknown[]; unitIds?: string[] }>('inspection.catalogs');
  for (let i = 0; i < 400; i++) {
    const doc = await catalogs.get(CAMPAIGN);
    if (doc?.criteria?.length && (doc.unitIds?.length ?? 0) >= 12) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the catalog of ${CAMPAIGN} never reached the inspection service`);
}

async function caughtUp(platform: RunningPlatform): Promise<void> {
  const inspection = platform.modules.find((m) => m.name === 'inspection') as { caughtUp?: () => Promise<void> } | undefined;
  if (!inspection?.caughtUp) throw new Error('the demo needs the inspection service (WENMING_SERVICES)');
  await inspection.caughtUp();
}
