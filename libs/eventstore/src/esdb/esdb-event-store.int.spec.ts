// The shared contract against a real EventStoreDB / KurrentDB, when one is reachable:
//   EVENTSTORE_CONNECTION_STRING='esdb://localhost:2113?tls=false' npm test -- libs/eventstore
// No server can run on the development and CI machines (DESIGN §4), so there the
// suite is skipped, visibly, and that skip is allowed even with
// WENMING_REQUIRE_REAL_SERVERS=1. Every test uses fresh stream and unit ids, so a
// shared server with history is fine. There is no tamper hook: ESDB events are
// immutable, so "an edited event" cannot be staged.
import { eventStoreContract } from '../contract/contract-suite.js';
import { EventStoreDbEventStore } from './esdb-event-store.js';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
const skip = connectionString ? undefined : 'EVENTSTORE_CONNECTION_STRING not set: EventStoreDB cannot run on this machine';
if (skip) console.log(`EventStoreDB contract suite SKIPPED: ${skip}`);

eventStoreContract({
  name: 'EventStoreDB (@eventstore/db-client)',
  skip,
  open: () => EventStoreDbEventStore.connect({ connectionString: connectionString ?? '' }),
  // A second client: the racing-writer tests then race two connections, as two processes would.
  openAnother: () => EventStoreDbEventStore.connect({ connectionString: connectionString ?? '' }),
});
