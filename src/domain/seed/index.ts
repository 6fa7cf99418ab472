export * from './seed-database.js';
export * from './seed-scales.js';
export { TRUNCATE_SQL } from './seed.sql.js';
