// Stream ids of the context (events.proto header).

export const CATEGORIES = ['campaign', 'unit', 'plan', 'taskreport', 'summary', 'rule'] as const;

export const streams = {
  campaign: (id: string) => `campaign-${id}`,
  unit: (id: string) => `unit-${id}`,
  plan: (id: string) => `plan-${id}`,
  taskReport: (planId: string, month: string) => `taskreport-${planId}-${month}`,
  summary: (id: string) => `summary-${id}`,
  rule: (id: string) => `rule-${id}`,
};
