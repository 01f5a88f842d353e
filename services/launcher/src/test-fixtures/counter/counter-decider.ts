// TEST FIXTURE: a counter per unit, as small as a decider gets while still having
// a multi-event decision (a milestone every 10) and a forbidden transition (closed).
import { type Decider, type DomainEvent, ForbiddenTransitionError } from '@wenming/service-kit';

export type CounterCommand = { type: 'Increment'; data: { amount: number } } | { type: 'Close'; data: Record<string, never> };

export type CounterEvent =
  | DomainEvent<'CounterIncremented', { amount: number; total: number }>
  | DomainEvent<'MilestoneReached', { milestone: number }>
  | DomainEvent<'CounterClosed', { total: number }>;

export type CounterState = { status: 'open'; total: number } | { status: 'closed'; total: number };

export const counterDecider: Decider<CounterCommand, CounterEvent, CounterState> = {
  initialState: () => ({ status: 'open', total: 0 }),

  decide(command, state) {
    if (state.status === 'closed') throw new ForbiddenTransitionError('closed', command.type === 'Increment' ? 'increment' : 'close');
    switch (command.type) {
      case 'Increment': {
        const total = state.total + command.data.amount;
        const incremented: CounterEvent = { type: 'CounterIncremented', data: { amount: command.data.amount, total } };
        const milestone = Math.floor(total / 10) * 10;
        return milestone > state.total ? [incremented, { type: 'MilestoneReached', data: { milestone } }] : [incremented];
      }
      case 'Close':
        return [{ type: 'CounterClosed', data: { total: state.total } }];
      default: {
        const unknown: never = command;
        throw new Error(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'CounterIncremented':
        return { ...state, total: event.data.total };
      case 'MilestoneReached':
        return state;
      case 'CounterClosed':
        return { status: 'closed', total: state.total };
      default: {
        const unknown: never = event;
        throw new Error(`unknown event ${JSON.stringify(unknown)}`);
      }
    }
  },
};
