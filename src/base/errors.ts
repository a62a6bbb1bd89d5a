/**
 * Typed errors for control flow. Each HTTP-facing error carries the status it maps to,
 * so route handlers never guess from message text.
 */

/** Thrown by a callback to leave every output as it is (HTTP 204), as Dash's PreventUpdate. */
export class PreventUpdate extends Error {
  constructor(message = 'PreventUpdate') {
    super(message);
    this.name = 'PreventUpdate';
  }
}

/**
 * Thrown by a background job to fail at once, without the further tries its `retry` option
 * would give it (as PreventUpdate is never retried either).
 */
export class NonRetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonRetryableError';
  }
}

/** A callback or app definition the server cannot serve; raised at registration time. */
export class CallbackDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackDefinitionError';
  }
}

/** A request the server refuses: answered with `status` and a JSON `{ message }`. */
export class BadRequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 413 | 415 | 422 = 400,
  ) {
    super(message);
    this.name = 'BadRequestError';
  }
}

/** A callback returned something that does not fit its outputs (a server-side bug in the app). */
export class InvalidCallbackReturnValue extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCallbackReturnValue';
  }
}

/** Background options used before the background subsystem supports them. */
export class NotSupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotSupportedError';
  }
}

/** What a background job's failure becomes on the server: Dash's BackgroundCallbackError. */
export class BackgroundCallbackError extends Error {
  constructor(jobMessage: string, jobStack?: string) {
    super(`An error occurred inside a background callback: ${jobMessage}`);
    this.name = 'BackgroundCallbackError';
    if (jobStack) this.stack = `${this.name}: ${this.message}\n--- in the job ---\n${jobStack}`;
  }
}

/**
 * A background manager's store cannot be reached (Redis down): a start is refused at once with
 * this, never left hanging; answered 503 with Retry-After where no onError handles it.
 */
export class BackgroundUnavailableError extends Error {
  constructor(
    message: string,
    /** When a client may try again (Retry-After). */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'BackgroundUnavailableError';
  }
}
