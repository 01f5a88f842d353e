// Collection names of the plan-submission read models (one owner projection each).
export const C = {
  campaigns: 'plansubmission.campaigns',
  units: 'plansubmission.units',
  plans: 'plansubmission.plans',
  reviewQueue: 'plansubmission.review_queue',
  reviewQueuePlans: 'plansubmission.review_queue_plans',
  taskPlans: 'plansubmission.task_plans',
  tasks: 'plansubmission.tasks',
  monthlyReports: 'plansubmission.monthly_reports',
  summaries: 'plansubmission.summaries',
  rules: 'plansubmission.rules',
} as const;

// biome-ignore lint/suspicious/noExplicitAny: read-model documents are proto3 JSON views
export type Doc = Record<string, any>;
