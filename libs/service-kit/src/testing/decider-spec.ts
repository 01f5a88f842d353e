// Given events / when command / then events or error, for node:test: a domain test
// reads like the seeds' rule it checks, and exercises the decider exactly as the
// command handler will (fold the history with evolve, then decide).
//
//   DeciderSpecification.for(rectification)
//     .given([{ type: 'RectificationOrdered', data: … }])
//     .when({ type: 'AcknowledgeRectification', data: … })
//     .then([{ type: 'RectificationAcknowledged', data: … }]);
import assert from 'node:assert/strict';
import type { Decider, DomainEvent } from '../commands/decider.js';

// biome-ignore lint/suspicious/noExplicitAny: an error class of any constructor signature
type ErrorClass<E extends Error> = new (...args: any[]) => E;

export interface DeciderThen<Event> {
  /** Decide produced exactly these events, in this order. */
  then(expected: Event | readonly Event[]): void;
  /** Decide produced no event (the command changed nothing). */
  thenNothingHappened(): void;
  /** Decide threw an error that the predicate accepts. */
  thenThrows(predicate: (error: unknown) => boolean): void;
  /** Decide threw an instance of the class, and the optional check on it holds. */
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, check?: (error: E) => boolean): void;
}

export interface DeciderWhen<Command, Event> {
  when(command: Command): DeciderThen<Event>;
}

export interface DeciderGiven<Command, Event> {
  given(events: readonly Event[]): DeciderWhen<Command, Event>;
}

export const DeciderSpecification = {
  for<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>): DeciderGiven<Command, Event> {
    return {
      given: (history) => ({
        when: (command) => {
          const run = (): Event[] => {
            const state = history.reduce((s, e) => decider.evolve(s, e), decider.initialState());
            return [decider.decide(command, state)].flat() as Event[];
          };
          return {
            // biome-ignore lint/suspicious/noThenProperty: given/when/then is the vocabulary; nobody awaits this object
            then: (expected) => assert.deepStrictEqual(run(), [expected].flat()),
            thenNothingHappened: () => assert.deepStrictEqual(run(), []),
            thenThrows: (classOrPredicate: ErrorClass<Error> | ((error: unknown) => boolean), check?: (error: Error) => boolean) => {
              let produced: Event[] | undefined;
              let thrown: unknown;
              try {
                produced = run();
              } catch (err) {
                thrown = err;
              }
              if (produced) assert.fail(`expected decide to throw, but it produced ${JSON.stringify(produced)}`);
              if (isErrorClass(classOrPredicate)) {
                assert.ok(thrown instanceof classOrPredicate, `expected a ${classOrPredicate.name}, got ${describe(thrown)}`);
                if (check) assert.ok(check(thrown), `the ${classOrPredicate.name} did not pass the check: ${describe(thrown)}`);
              } else {
                assert.ok(classOrPredicate(thrown), `the error did not pass the check: ${describe(thrown)}`);
              }
            },
          };
        },
      }),
    };
  },
};

function isErrorClass(value: unknown): value is ErrorClass<Error> {
  return typeof value === 'function' && (value === Error || value.prototype instanceof Error);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
