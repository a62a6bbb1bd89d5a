/**
 * An app on an InProcessManager, for the remote-workers case of the Manager contract: it has no
 * remote workers, so `dash-ts worker` must refuse this module, naming the manager. The job
 * functions are jobs-app.ts's (imported for them).
 */
import { Dash, html, InProcessManager } from '../../src/index.ts';
import './jobs-app.ts';

export const app = new Dash({ title: 'jobs in process', backgroundManager: new InProcessManager() });
app.layout = html.Div({ children: 'background jobs in the server process, for tests' });
