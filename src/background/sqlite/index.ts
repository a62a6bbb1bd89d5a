/** The embedded default background manager: an SQLite file and a pool of warm worker processes. */
export { SqliteManager, SqliteManagerError, type SqliteManagerOptions } from './manager.ts';
