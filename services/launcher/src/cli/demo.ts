// `wenming demo`: loads a small city into the platform's data directory through
// the public HTTP API of an in-process platform (the same edges a user calls, so
// the demo is also a smoke test of them): one campaign from the six-types
// template, a dozen units in two levels, plans in every state, monthly reports
// on time, late and missing; then inspections of four kinds, findings, scores and
// a rectification in every state (demo-inspections.ts). Every command carries a
// fixed idempotency key, so running the demo again changes nothing.
import { parseArgs } from 'node:util';
import { hs256Secret, loadConfig, type Role, signHs256Token } from '@wenming/service-kit';
import { startPlatform } from '../platform.js';
import { type Caller, type DemoApi, loadDemoInspections, RECTIFICATION_STATES } from './demo-inspections.js';
import { type CliIo, UsageError } from './io.js';

export const DEMO_USAGE = `Usage: wenming demo [--data-dir DIR]

Loads a demo city into the embedded platform's data directory (WENMING_DATA_DIR,
default ./data): campaign demo-2026 from the six-types template, 13 units in two
levels, plans in every state, monthly reports on time, late and missing;
routine, special, unannounced and 双随机 spot-check inspections with findings,
evidence and scores, and rectifications in every state. Running it again changes nothing. Start the platform afterwards with npm start.
`;

const CAMPAIGN = 'demo-2026';

/** Level 1: departments under the city; level 2: their windows and offices. */
const UNITS: Array<{ unitId: string; name: string; kind: string; parent: string }> = [
  { unitId: 'tax', name: '市税务局', kind: 'UNIT_KIND_DEPARTMENT', parent: 'city' },
  { unitId: 'land', name: '市国土资源局', kind: 'UNIT_KIND_DEPARTMENT', parent: 'city' },
  { unitId: 'approval', name: '市行政审批服务中心', kind: 'UNIT_KIND_DEPARTMENT', parent: 'city' },
  { unitId: 'civil', name: '市民政局', kind: 'UNIT_KIND_DEPARTMENT', parent: 'city' },
  { unitId: 'housing', name: '市住房和城乡建设局', kind: 'UNIT_KIND_DEPARTMENT', parent: 'city' },
  { unitId: 'health', name: '市卫生健康委员会', kind: 'UNIT_KIND_DEPARTMENT', parent: 'city' },
  { unitId: 'tax-window-1', name: '市税务局办税服务厅一号窗口', kind: 'UNIT_KIND_WINDOW', parent: 'tax' },
  { unitId: 'approval-window-3', name: '行政审批服务中心三号窗口', kind: 'UNIT_KIND_WINDOW', parent: 'approval' },
  { unitId: 'approval-office', name: '行政审批服务中心综合处', kind: 'UNIT_KIND_OFFICE', parent: 'approval' },
  { unitId: 'civil-marriage', name: '市民政局婚姻登记处', kind: 'UNIT_KIND_OFFICE', parent: 'civil' },
  { unitId: 'land-registry', name: '市国土资源局不动产登记处', kind: 'UNIT_KIND_OFFICE', parent: 'land' },
  { unitId: 'housing-window', name: '住房和城乡建设局受理窗口', kind: 'UNIT_KIND_WINDOW', parent: 'housing' },
];

/** How far each unit's plan goes, so the demo shows every state of the lifecycle. */
const PLAN_STATES: Record<string, 'draft' | 'submitted' | 'returned' | 'revised' | 'resubmitted' | 'approved' | 'amendment'> = {
  tax: 'approved',
  land: 'amendment',
  approval: 'approved',
  civil: 'returned',
  housing: 'resubmitted',
  health: 'submitted',
  'tax-window-1': 'draft',
  'approval-window-3': 'approved',
  'approval-office': 'revised',
  'civil-marriage': 'approved',
  'land-registry': 'submitted',
  'housing-window': 'draft',
};

function plan(unitName: string) {
  return {
    title: `${unitName}创建六型机关实施方案`,
    guidingIdeas: '以创建学习型、服务型、效率型、节约型、廉洁型、和谐型机关为载体，改进机关作风，提高工作效能',
    goals: [{ goalId: 'g1', description: '办结率和准确率达100%，群众满意率95%以上', dimensionId: 'efficiency' }],
    measures: [{ measureId: 'm1', dimensionId: 'efficiency', criterionIds: ['efficiency.2'], description: '推行限时办结制、首问负责制' }],
    leadingGroup: { leader: { name: '主要负责人', position: '党组书记' }, members: [{ name: '分管领导' }], officeName: '创建办' },
    tasks: [
      {
        taskId: 't1',
        title: '修订限时办结制度实施办法',
        measureId: 'm1',
        dimensionId: 'efficiency',
        criterionIds: ['efficiency.2'],
        owner: { officeName: '办公室', person: { name: '王五' } },
        deadlineDate: '2026-06-30',
        assessmentMethod: '查阅制度文本和办结记录',
      },
    ],
  };
}

export async function demoCommand(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    io.stdout(DEMO_USAGE);
    return;
  }
  if (args.length > 0 && !values['data-dir']) throw new UsageError('unexpected arguments');
  const env: NodeJS.ProcessEnv = { ...io.env, HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: io.env.LOG_LEVEL ?? 'warn' };
  if (values['data-dir']) env.WENMING_DATA_DIR = values['data-dir'];
  const config = loadConfig(env);
  if (config.auth.mode !== 'hs256') throw new UsageError('the demo signs its own tokens: it runs on the embedded profile only');
  const secret = hs256Secret(config.auth);
  const platform = await startPlatform(config);
  try {
    const tokens = new Map<string, string>();
    const tokenFor = async ({ roles, units = [], sub = `demo-${roles[0]}` }: Caller) => {
      const who = `${sub}:${roles.join(',')}:${units.join(',')}`;
      if (!tokens.has(who)) tokens.set(who, await signHs256Token({ sub, roles, units, ttlSec: 3600 }, secret));
      return tokens.get(who)!;
    };
    const call = async (method: 'GET' | 'POST', path: string, key: string | undefined, body: unknown, as: Caller) => {
      const headers: Record<string, string> = { authorization: `Bearer ${await tokenFor(as)}` };
      if (method === 'POST') {
        headers['content-type'] = 'application/json';
        headers['idempotency-key'] = `demo:${key}`;
      }
      const res = await fetch(`${platform.httpUrl}${path}`, {
        method,
        headers,
        ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
      return text ? JSON.parse(text) : {};
    };
    const post = (path: string, key: string, body: unknown, roles: Role[], units: string[] = []) =>
      call('POST', `/api/plan-submission${path}`, key, body, { roles, units });
    const inspectionApi: DemoApi = {
      post: (path, key, body, as) => call('POST', `/api/inspection${path}`, key, body, as),
      get: (path, as) => call('GET', `/api/inspection${path}`, undefined, undefined, as),
    };
    const office: Role[] = ['office'];

    await post(
      '/campaigns',
      'campaign',
      {
        campaignId: CAMPAIGN,
        title: '创建学习型、服务型、效率型、节约型、廉洁型、和谐型机关（示范）',
        period: { startDate: '2026-01-01', endDate: '2028-12-31' },
        phases: [
          { phase: 'CAMPAIGN_PHASE_MOBILIZATION', dates: { startDate: '2026-01-01', endDate: '2026-03-31' } },
          { phase: 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT', dates: { startDate: '2026-04-01', endDate: '2027-10-31' } },
          { phase: 'CAMPAIGN_PHASE_CONSOLIDATION', dates: { startDate: '2027-11-01', endDate: '2028-12-31' } },
        ],
        template: 'six-types',
        planSubmissionDeadline: '2026-12-31',
        monthlyReportDueDay: 5,
      },
      office,
    );
    await post('/units', 'unit:city', { unitId: 'city', name: '唐山市', kind: 'UNIT_KIND_CITY' }, ['admin']);
    for (const u of UNITS)
      await post('/units', `unit:${u.unitId}`, { unitId: u.unitId, name: u.name, kind: u.kind, parentUnitId: u.parent }, office);
    await post(`/campaigns/${CAMPAIGN}/enrol`, 'enrol', { unitIds: UNITS.map((u) => u.unitId) }, office);

    for (const u of UNITS) {
      const target = PLAN_STATES[u.unitId]!;
      const planId = `${CAMPAIGN}-${u.unitId}`;
      const unit: Role[] = ['unit'];
      const as = [u.unitId];
      const step = (name: string) => `${planId}:${name}`;
      await post('/plans', step('draft'), { planId, campaignId: CAMPAIGN, unitId: u.unitId, content: plan(u.name) }, unit, as);
      if (target === 'draft') continue;
      await post(`/plans/${planId}/submit`, step('submit'), {}, unit, as);
      if (target === 'submitted') continue;
      const returnsFirst = ['returned', 'revised', 'resubmitted', 'amendment'].includes(target) || u.unitId === 'approval';
      if (returnsFirst) {
        await post(
          `/plans/${planId}/return`,
          step('return'),
          { comments: [{ section: 'tasks', comment: '任务要分解到处室和责任人，并写明考核方法' }] },
          office,
        );
        if (target === 'returned') continue;
        await post(`/plans/${planId}/revise`, step('revise'), { content: plan(u.name), changeNote: '已分解任务、补充考核方法' }, unit, as);
        if (target === 'revised') continue;
        await post(`/plans/${planId}/submit`, step('resubmit'), {}, unit, as);
        if (target === 'resubmitted') continue;
      }
      await post(`/plans/${planId}/approve`, step('approve'), { effectiveDate: '2026-04-01' }, office);
      if (target === 'amendment') {
        await post(
          `/plans/${planId}/amendments`,
          step('amend'),
          { content: { ...plan(u.name), title: `${u.name}实施方案（修订）` }, reason: '增加建章立制任务' },
          unit,
          as,
        );
        continue;
      }
      // Approved plans report monthly: October late (it was due on 5 November),
      // November on time; the approval centre's window has not reported October.
      const items = [
        { taskId: 't1', completion: 'TASK_COMPLETION_IN_PROGRESS', measuresTaken: '已起草制度初稿，征求意见中', nextSteps: '报党组审议' },
      ];
      if (u.unitId !== 'approval-window-3')
        await post(`/plans/${planId}/monthly-reports`, step('report-2026-10'), { month: '2026-10', items }, unit, as);
      await post(`/plans/${planId}/monthly-reports`, step('report-2026-11'), { month: '2026-11', items }, unit, as);
    }

    const planSubmission = platform.modules.find((m) => m.name === 'plan-submission') as { caughtUp?: () => Promise<void> } | undefined;
    await planSubmission?.caughtUp?.();
    const inspections = await loadDemoInspections(inspectionApi, platform);
    const kinds = inspections.inspections
      .map(
        (i) =>
          `${i.kind.replace('INSPECTION_KIND_', '').toLowerCase().replaceAll('_', ' ')} (${i.units} units, ${i.status.replace('INSPECTION_STATUS_', '').toLowerCase().replaceAll('_', ' ')})`,
      )
      .join(', ');
    io.stdout(
      [
        `Demo city loaded into ${config.dataDir}:`,
        `  campaign ${CAMPAIGN} (six-types template), ${UNITS.length + 1} units in two levels under 唐山市`,
        `  plans: ${Object.entries(countBy(Object.values(PLAN_STATES)))
          .map(([state, n]) => `${n} ${state}`)
          .join(', ')}`,
        '  monthly reports: October late for most approved plans, November on time, one October report missing',
        `  inspections: ${kinds}; spot check drawn by 双随机: ${inspections.drawnUnitIds.join(', ')}`,
        `  findings: ${inspections.findings} with photo evidence; ${inspections.scores} criterion scores`,
        `  rectifications by state: ${RECTIFICATION_STATES.map((s) => `${s} ${inspections.rectifications[s] ?? 0}`).join(', ')}`,
        'Start the platform with npm start, then e.g.:',
        `  curl -H "Authorization: Bearer $(npm run -s wenming -- token --role office)" http://127.0.0.1:8080/api/plan-submission/review-queue?campaignId=${CAMPAIGN}`,
        `  curl -H "Authorization: Bearer $(npm run -s wenming -- token --role office)" http://127.0.0.1:8080/api/inspection/rectifications-counts?campaignId=${CAMPAIGN}`,
        '',
      ].join('\n'),
    );
  } finally {
    await platform.stop();
  }
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
