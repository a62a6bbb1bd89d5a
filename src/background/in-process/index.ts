/** Background jobs as async tasks in the server process. */
export { InProcessManager, type InProcessManagerOptions } from './manager.ts';
