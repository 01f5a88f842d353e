// The seeds' catalogs as ready templates. Names and criteria are the seeds' words.
// POINTS: the seeds defer the scoring sheet ("创建现代文明机关活动具体考核标准另行下发",
// seed 000), so the maximum points here are this build's defaults — each template
// totals 100 points — and the office publishes its own figures with
// PublishStandardsCatalog (a new version, with a reason once the campaign started).
import type { Criterion, Dimension, DimensionKind, StandardsCatalog, VetoCondition, WorkStandardDefinition } from '../catalog.js';

export const TEMPLATE_IDS = ['four-types', 'six-types', 'standardized-window'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export function isTemplateId(value: string): value is TemplateId {
  return (TEMPLATE_IDS as readonly string[]).includes(value);
}

type CriterionSeed = [title: string, description: string];

function dimension(
  id: string,
  kind: DimensionKind,
  name: string,
  description: string,
  points: number[],
  criteria: CriterionSeed[],
): Dimension {
  return {
    dimensionId: id,
    kind,
    name,
    description,
    criteria: criteria.map(
      ([title, text], i): Criterion => ({
        criterionId: `${id}.${i + 1}`,
        dimensionId: id,
        code: `${id}.${i + 1}`,
        title,
        description: text,
        maxPoints: { hundredths: (points[i] ?? 0) * 100 },
        assessmentMethod: '查阅资料、实地查看、座谈了解',
      }),
    ),
  };
}

/** 四化工作标准 (seed 000 §二(二)). */
export const FOUR_IZATION: WorkStandardDefinition[] = [
  {
    standard: 'WORK_STANDARD_SCIENTIFIC_PROCEDURES',
    description: '工作程序科学化：减少工作环节，简化办事手续，撤消人为关卡，最大限度地方便群众和提高效率',
  },
  {
    standard: 'WORK_STANDARD_STANDARDIZED_CONTENT',
    description: '工作内容规范化：对每项工作、每个岗位、每名工作人员的工作内容、权限、责任、程序、要求、方法、时限、奖惩标准等细化、量化',
  },
  {
    standard: 'WORK_STANDARD_OPEN_METHODS',
    description: '工作方式公开化：将办事内容及有关的标准、程序、时限向社会公开，增加透明度',
  },
  {
    standard: 'WORK_STANDARD_MODERN_MEANS',
    description: '工作手段现代化：推进电子政务、网上办公、网上审批、无纸化办公等现代办公手段的应用',
  },
];

/**
 * 否决条件: seed 000 says a title is voided "若有明显退步或存在否决条件" without listing
 * them; these are the conditions the other seeds name as disqualifying (严重违纪,
 * 重大安全事故, 推诿扯皮造成恶劣影响), to be confirmed by the office.
 */
export const DEFAULT_VETO_CONDITIONS: VetoCondition[] = [
  { vetoConditionId: 'veto-1', code: 'V1', description: '发生严重违法违纪案件' },
  { vetoConditionId: 'veto-2', code: 'V2', description: '发生重大安全责任事故' },
  { vetoConditionId: 'veto-3', code: 'V3', description: '因推诿扯皮、办事拖拉造成恶劣社会影响，被查实通报' },
];

/** 学习型/法制型/务实型/廉政型 (seed 000 §二(一)). */
function fourTypes(): StandardsCatalog {
  return {
    version: 1,
    dimensions: [
      dimension(
        'learning',
        'DIMENSION_KIND_LEARNING',
        '学习型机关',
        '创新学习理念、学习方式、学习机制，建设与时俱进、充满活力的文明机关',
        [7, 6, 6, 6],
        [
          ['加强政治理论学习', '提高思想政治水平'],
          ['加强法律法规学习', '提高党性修养和依法行政水平，开展普法教育和培训'],
          ['加强业务知识和科学文化知识学习', '每个单位确定必学的业务课程，进行强化培训，提高现代管理水平'],
          ['加强对客观规律和现实问题的研究', '建立创新目标、创新记录、创新考核等制度，提高创新工作水平'],
        ],
      ),
      dimension(
        'law-based',
        'DIMENSION_KIND_LAW_BASED',
        '法制型机关',
        '规范行政执法行为，完善相关制度，建设依法行政、公平公正的文明机关',
        [9, 8, 8],
        [
          ['严格规范行政执法行为', '切实履行法定职责，建立健全违法责任追究制度'],
          ['实施“阳光行动”', '推行依法决策和政务公开：重大决策事前法律咨询、专家论证、涉民事项社会公开'],
          ['健全完善相关制度', '落实民主评议机关和行政赔偿等制度，明确违诺责任'],
        ],
      ),
      dimension(
        'pragmatic',
        'DIMENSION_KIND_PRAGMATIC',
        '务实型机关',
        '转变机关作风，提高工作效率和服务质量，建设敬业勤政、高效理政的文明机关',
        [7, 6, 6, 6],
        [
          ['规范服务行为', '首问责任制、一次性告之制、限时办结制、挂牌上岗、“三办”服务'],
          ['改革办事制度', '消减行政审批事项，简化审批程序，推行电子政务'],
          ['大兴调研之风', '制定调查研究具体措施并用制度固定下来'],
          ['广泛开展为民办实事活动', '深入基层联系点制度、信访接待日制度、与群众对话制度'],
        ],
      ),
      dimension(
        'clean-government',
        'DIMENSION_KIND_CLEAN_GOVERNMENT',
        '廉政型机关',
        '强化教育、制度和监督，建设具有拒腐防变能力的文明机关',
        [6, 7, 6, 6],
        [
          ['加强纪律教育', '开展“立党为公、执政为民”主题教育'],
          ['落实廉政制度', '科级干部廉政档案、任职前谈话、“两书一卡”制度、党风廉政监督员'],
          ['完善考评机制', '机关作风考评体系，述职述廉，民主评议作风'],
          ['严肃案件查处', '对腐败案件发现一起查处一起'],
        ],
      ),
    ],
    workStandards: FOUR_IZATION,
    vetoConditions: DEFAULT_VETO_CONDITIONS,
  };
}

/** 学习型/服务型/效率型/节约型/廉洁型/和谐型 (seed 002, 创六型机关方案). */
function sixTypes(): StandardsCatalog {
  return {
    version: 1,
    dimensions: [
      dimension(
        'learning',
        'DIMENSION_KIND_LEARNING',
        '学习型机关',
        '大兴学习调研之风',
        [8, 7],
        [
          ['建立完善学习和考核制度', '党委中心组学习、专题报告会、党校培训'],
          ['深入基层开展调查研究', '理论联系实际的学风'],
        ],
      ),
      dimension(
        'service',
        'DIMENSION_KIND_SERVICE',
        '服务型机关',
        '大兴为民办事之风',
        [10, 10],
        [
          ['为企业群众办实事、办好事', '切实解决群众反映强烈的难点、热点问题'],
          ['开展行风民主评议和“四好科室”创建', '基层站队行风民主评议'],
        ],
      ),
      dimension(
        'efficiency',
        'DIMENSION_KIND_EFFICIENCY',
        '效率型机关',
        '大兴求真务实之风',
        [10, 10],
        [
          ['改进会风和文风', '严格控制会议规模和数量，精简各类文件'],
          ['提高办事效率', '缩短办事时间、简化办事手续，社会各界评议满意度'],
        ],
      ),
      dimension(
        'frugal',
        'DIMENSION_KIND_FRUGAL',
        '节约型机关',
        '大兴勤俭节约之风',
        [8, 7],
        [
          ['规范公务接待', '定点管理，严格经费标准，公务接待费限额控制'],
          ['推行节能采购，压缩行政费用开支', '强化行政成本意识，规范采购行为'],
        ],
      ),
      dimension(
        'incorrupt',
        'DIMENSION_KIND_INCORRUPT',
        '廉洁型机关',
        '大兴透明廉政之风',
        [8, 7],
        [
          ['深化政务公开，推行“阳光政务”', '公开办事程序、标准和结果，作出公开承诺'],
          ['严禁公款吃请和公车私用', '加强廉政文化进机关'],
        ],
      ),
      dimension(
        'harmonious',
        'DIMENSION_KIND_HARMONIOUS',
        '和谐型机关',
        '大兴团结协作之风',
        [8, 7],
        [
          ['建立健全部门协调解决问题工作机制', '杜绝部门之间推诿扯皮'],
          ['营造诚信友爱、团结干事的机关环境', '增强构建和谐机关的凝聚力'],
        ],
      ),
    ],
    workStandards: FOUR_IZATION,
    vetoConditions: DEFAULT_VETO_CONDITIONS,
  };
}

/** 标准化窗口 (seed 004: 班子建设, “中心”文明建设, 窗口(处室)建设 — 服务质量, 廉政建设). */
function standardizedWindow(): StandardsCatalog {
  return {
    version: 1,
    dimensions: [
      dimension(
        'leadership',
        'DIMENSION_KIND_CUSTOM',
        '班子建设',
        '以“五个好”为目标，建设团结、廉洁、开拓的领导集体',
        [5, 5, 5, 5],
        [
          ['思想建设', '坚持中心组学习制度，每月集体学习一次，撰写1-2篇学习体会或调研报告'],
          ['作风建设', '专题民主生活会和党小组民主生活会全年各2次'],
          ['制度建设', '完善议事和决策机制'],
          ['党风廉政建设', '遵守廉洁从政若干准则'],
        ],
      ),
      dimension(
        'service-quality',
        'DIMENSION_KIND_CUSTOM',
        '服务质量',
        '窗口(处室)建设：以“群众满意不满意”为工作标准',
        [10, 10, 15, 10, 5],
        [
          ['思想作风正', '牢记“服务经济、方便群众、塑好形象”的宗旨'],
          ['业务技能强', '“新三学”活动，提高综合素质和岗位业务能力'],
          ['工作质量高', '承诺时限内办结，办结率和准确率达100%'],
          ['服务态度优', '热情礼貌，使用普通话和文明用语'],
          ['团结协作好', '相互支持配合，形成和谐的工作氛围'],
        ],
      ),
      dimension(
        'integrity',
        'DIMENSION_KIND_CUSTOM',
        '廉政建设',
        '窗口(处室)廉政建设',
        [10, 10, 10],
        [
          ['严格执行《公务员行为规范》和中心廉政建设制度', '不利用职务和工作之便谋取私利'],
          ['加强职业道德规范建设', '办事公正、公道'],
          ['妥善处理群众投诉', '尽可能当场作出答复，追踪处理直至完毕'],
        ],
      ),
    ],
    workStandards: FOUR_IZATION,
    vetoConditions: DEFAULT_VETO_CONDITIONS,
  };
}

export interface CatalogTemplate {
  id: TemplateId;
  name: string;
  source: string;
  catalog: StandardsCatalog;
}

export function catalogTemplate(id: TemplateId): CatalogTemplate {
  switch (id) {
    case 'four-types':
      return { id, name: '四型机关（学习型、法制型、务实型、廉政型）', source: 'seed 000', catalog: fourTypes() };
    case 'six-types':
      return { id, name: '六型机关（学习型、服务型、效率型、节约型、廉洁型、和谐型）', source: 'seed 002', catalog: sixTypes() };
    case 'standardized-window':
      return { id, name: '标准化窗口', source: 'seed 004', catalog: standardizedWindow() };
  }
}
