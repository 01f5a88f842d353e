export { eventToMessage, HEADER, messageToEvent, UndecodableMessageError } from './envelope.js';
export { type EventConsumerOptions, startEventConsumer } from './event-consumer.js';
export { SqliteBus, type SqliteBusOptions, UnknownTopicError } from './in-process/sqlite-bus.js';
export { KafkaBus, type KafkaBusOptions } from './kafka/kafka-bus.js';
export { SqliteProcessedEvents } from './processed-events.js';
export { type Relay, type RelayOptions, routeByCategory, startRelay } from './relay.js';
export * from './topics.js';
export * from './types.js';
