// A small multi-service history written through the event store port, for the
// integration tests: a plan, an inspection shared by two units, a rectification.
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@wenming/eventstore';

const actor = { id: 'insp-1', role: 'inspector' };

export async function seedHistory(
  store: EventStore,
  prefix: string,
): Promise<{ unitId: string; other: string; streams: string[]; ids: Record<string, string> }> {
  const unitId = `${prefix}-u1`;
  const other = `${prefix}-u2`;
  const plan = `plan-${prefix}-p1`;
  const inspection = `inspection-${prefix}-i1`;
  const rect = `rectification-${prefix}-r1`;
  const ids: Record<string, string> = {};
  const ev = (id: string, type: string, data: unknown, u = unitId) => {
    ids[id] = randomUUID();
    return {
      id: ids[id],
      type,
      data,
      occurredAt: '2025-03-01T08:00:00.000Z',
      metadata: { unitId: u, actor },
    };
  };
  await store.append(plan, [ev('1', 'PlanDrafted', { planId: 'p1', campaignId: 'c1', unitId, content: { tasks: [] } })]);
  await store.append(plan, [ev('2', 'PlanSubmitted', { planId: 'p1', submission: 1, late: false })]);
  await store.append(inspection, [
    ev('3', 'FindingRecorded', {
      findingId: 'f1',
      inspectionId: 'i1',
      unitId,
      description: '<script>alert(1)</script> 公示栏过期',
      publicConcern: true,
    }),
    ev('4', 'FindingRecorded', { findingId: 'f2', inspectionId: 'i1', unitId: other, description: 'other unit' }, other),
    ev('5', 'CriterionScored', { inspectionId: 'i1', unitId, score: { criterionId: 'k1', points: { hundredths: 800 } } }),
  ]);
  await store.append(rect, [
    ev('6', 'RectificationOrdered', { rectificationId: 'r1', findingId: 'f1', unitId, requirements: '更新', deadlineDate: '2025-04-30' }),
  ]);
  await store.append(rect, [ev('7', 'RectificationAcknowledged', { rectificationId: 'r1', responsiblePerson: { name: '张三' } })]);
  await store.append(rect, [ev('8', 'BrandNewEventType', { rectificationId: 'r1', note: 'x' })]);
  return { unitId, other, streams: [plan, inspection, rect], ids };
}
