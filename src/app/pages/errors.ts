/** A page module that cannot be used: it failed to import, or gives no layout. Names the file. */
export class PageModuleError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`page module ${file}: ${message}`, options);
    this.name = 'PageModuleError';
  }
}
