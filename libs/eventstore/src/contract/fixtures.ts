// Event builders for the contract suite. Every test works on its own stream and
// unit ids, so the suite also runs against a shared server (EventStoreDB) whose
// global log is never empty.
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../types.js';

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function newEvent(unitId: string, n: number, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProgressReported',
    occurredAt: '2026-03-01T09:00:00+08:00',
    data: { step: n, note: `step ${n} 整改进展`, evidence: [{ file: `photo-${n}.jpg`, sha256: 'ab'.repeat(32) }] },
    metadata: { unitId, actor: { id: 'u-7', role: 'unit' }, correlationId: `corr-${n}` },
    ...overrides,
  };
}

export function newEvents(unitId: string, count: number, start = 0): NewEvent[] {
  return Array.from({ length: count }, (_, i) => newEvent(unitId, start + i));
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
