/** The distributed background manager: a BullMQ queue on Redis, jobs run by `dash-ts worker`. */
export { BullMQManagerError } from './errors.ts';
export { BullMQManager } from './manager.ts';
export type { BullMQManagerOptions } from './options.ts';
