/**
 * A bare "server process" for the SqliteManager fault tests: starts a SqliteManager on the file
 * given as argument, with the jobs of jobs-app.ts, prints `ready`, and runs until killed.
 */

import { SqliteManager } from '../../src/background/sqlite/index.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobsAppModule } from './jobs-app.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: sqlite-server.ts <store-file>');
const manager = new SqliteManager({ path, workers: 1 });
await manager.start({ appModule: jobsAppModule, logger: consoleLogger });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void manager.close().then(() => process.exit(0)));
