import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decider, DomainEvent } from '../commands/decider.js';
import { ForbiddenTransitionError } from '../errors/domain-errors.js';
import { DeciderSpecification } from './decider-spec.js';

type Command = { type: 'Open' } | { type: 'Close' } | { type: 'Touch' };
type Event = DomainEvent<'Opened', Record<string, never>> | DomainEvent<'Closed', Record<string, never>>;
type State = { status: 'new' | 'open' | 'closed' };

const door: Decider<Command, Event, State> = {
  initialState: () => ({ status: 'new' }),
  decide(command, state) {
    switch (command.type) {
      case 'Open':
        if (state.status !== 'new') throw new ForbiddenTransitionError(state.status, 'open');
        return { type: 'Opened', data: {} };
      case 'Close':
        if (state.status !== 'open') throw new ForbiddenTransitionError(state.status, 'close');
        return [{ type: 'Closed', data: {} }];
      case 'Touch':
        return [];
    }
  },
  evolve: (_state, event) => ({ status: event.type === 'Opened' ? 'open' : 'closed' }),
};
const spec = DeciderSpecification.for(door);

describe('DeciderSpecification', () => {
  it('then: folds the given events, decides, compares the events', () => {
    spec
      .given([])
      .when({ type: 'Open' })
      .then([{ type: 'Opened', data: {} }]);
    spec
      .given([{ type: 'Opened', data: {} }])
      .when({ type: 'Close' })
      .then({ type: 'Closed', data: {} });
    assert.throws(() => spec.given([]).when({ type: 'Open' }).then([]), assert.AssertionError);
  });

  it('thenNothingHappened: no event', () => {
    spec.given([]).when({ type: 'Touch' }).thenNothingHappened();
    assert.throws(() => spec.given([]).when({ type: 'Open' }).thenNothingHappened(), assert.AssertionError);
  });

  it('thenThrows: by class, with an optional check, or by predicate', () => {
    const closed: Event[] = [
      { type: 'Opened', data: {} },
      { type: 'Closed', data: {} },
    ];
    spec.given(closed).when({ type: 'Close' }).thenThrows(ForbiddenTransitionError);
    spec
      .given(closed)
      .when({ type: 'Close' })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'closed');
    spec
      .given(closed)
      .when({ type: 'Open' })
      .thenThrows((e) => e instanceof ForbiddenTransitionError && e.attempted === 'open');
    assert.throws(() => spec.given([]).when({ type: 'Open' }).thenThrows(ForbiddenTransitionError), /expected decide to throw/);
    assert.throws(() => spec.given(closed).when({ type: 'Close' }).thenThrows(TypeError), /expected a TypeError/);
    assert.throws(() =>
      spec
        .given(closed)
        .when({ type: 'Close' })
        .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'new'),
    );
  });
});
