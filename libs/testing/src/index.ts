export { type ProvidedPostgres, providePostgres } from './postgres.js';
