// Stream ids of the context (events.proto header) and reading an aggregate's state.
import type { EventStore } from '@wenming/eventstore';
import type { Decider, DomainEvent } from '@wenming/service-kit';
import { ValidationError } from '@wenming/service-kit';

export const CATEGORIES = ['inspection', 'draw', 'rectification'] as const;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new ValidationError(field, `must be 1-100 letters, digits, '_', '.', ':' or '-' (got ${JSON.stringify(value ?? '')})`);
  }
  return value;
}

export const streams = {
  inspection: (id: string) => `inspection-${id}`,
  draw: (id: string) => `draw-${id}`,
  rectification: (id: string) => `rectification-${id}`,
};

export async function loadState<C, E extends DomainEvent, S>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, E, S>,
): Promise<{ state: S; revision: number | undefined }> {
  let state = decider.initialState();
  let revision: number | undefined;
  for await (const recorded of store.readStream(streamId)) {
    state = decider.evolve(state, { type: recorded.type, data: recorded.data } as unknown as E);
    revision = recorded.revision;
  }
  return { state, revision };
}
