// Shared fixtures of the domain specs: a six-types catalog index and a complete plan.
import { indexCatalog } from './catalog.js';
import type { PlanContent } from './plan.js';
import { catalogTemplate } from './templates/index.js';

export const SIX_TYPES = indexCatalog(catalogTemplate('six-types').catalog);

export const COMPLETE_PLAN: PlanContent = {
  title: '市行政审批服务中心创建六型机关实施方案',
  guidingIdeas: '以创建六型机关为载体，改进机关作风，提高工作效能',
  goals: [{ goalId: 'g1', description: '办结率和准确率达100%', dimensionId: 'efficiency' }],
  measures: [{ measureId: 'm1', dimensionId: 'efficiency', criterionIds: ['efficiency.2'], description: '推行限时办结制' }],
  leadingGroup: { leader: { name: '张局长', position: '党组书记' }, members: [{ name: '李四' }], officeName: '创建办' },
  tasks: [
    {
      taskId: 't1',
      title: '修订限时办结制度实施办法',
      measureId: 'm1',
      dimensionId: 'efficiency',
      criterionIds: ['efficiency.2'],
      owner: { officeName: '办公室', person: { name: '王五' } },
      deadlineDate: '2025-06-30',
      assessmentMethod: '查阅制度文本',
    },
  ],
};

/** The period of the campaign the specs' plans belong to. */
export const CAMPAIGN_PERIOD = { startDate: '2025-01-01', endDate: '2027-12-31' };
