// The Decider of DESIGN §3, as in emmett: pure functions, no I/O, no clock. Time and
// ids arrive in the command; the command handler does the reading and appending.

/** What decide returns and evolve folds: a past-tense type and its payload. */
export type DomainEvent<Type extends string = string, Data = unknown> = Readonly<{ type: Type; data: Data }>;

export interface Decider<Command, Event extends DomainEvent, State> {
  decide(command: Command, state: State): Event | readonly Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
