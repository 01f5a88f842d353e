export { DOCKER_COMPOSE_BIN_ENV, type ProvidedCompose, provideCompose } from './compose.js';
export {
  createTopics,
  KAFKA_DIR_ENV,
  type ProvidedKafka,
  provideKafka,
  startLocalKafka,
  type TopicSpec,
} from './kafka.js';
export { type ProvidedMongo, provideMongo } from './mongodb.js';
export { type ProvidedPostgres, providePostgres } from './postgres.js';
