// An aggregate's state as its stream says now: what a handler reads from another
// aggregate before deciding (the campaign a plan is drafted in, the finding a
// rectification is ordered for). handleCommand folds its own stream itself.
import type { EventStore } from '@wenming/eventstore';
import type { Decider, DomainEvent } from './decider.js';

export async function loadState<Command, Event extends DomainEvent, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
): Promise<{ state: State; revision: number | undefined }> {
  let state = decider.initialState();
  let revision: number | undefined;
  for await (const recorded of store.readStream(streamId)) {
    state = decider.evolve(state, { type: recorded.type, data: recorded.data } as unknown as Event);
    revision = recorded.revision;
  }
  return { state, revision };
}
