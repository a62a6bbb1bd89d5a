/** What BullMQManager throws: misconfiguration, use outside its life, a worker that cannot run. */
export class BullMQManagerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BullMQManagerError';
  }
}
