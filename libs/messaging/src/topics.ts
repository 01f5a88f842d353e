// Kafka topics are per bounded context: wenming.<context>.events.v1 (DESIGN §3).
export const CONTEXTS = ['plansubmission', 'inspection', 'supervision', 'awards', 'lookback', 'platform'] as const;
export type Context = (typeof CONTEXTS)[number];

export function eventsTopic(context: Context): string {
  return `wenming.${context}.events.v1`;
}

export function deadLetterTopic(groupId: string): string {
  return `wenming.dlq.${groupId}.v1`;
}
