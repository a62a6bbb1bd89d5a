/**
 * Checks of manager options shared by every manager, so a bad value fails at construction with
 * the same wording whichever backend the app uses. Each manager passes its own typed error.
 */
export type OptionError = new (message: string) => Error;

export class OptionChecks {
  constructor(
    private readonly manager: string,
    private readonly error: OptionError,
  ) {}

  positiveInteger(name: string, value: number | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < 1) {
      throw new this.error(`${this.manager}: ${name} must be a whole number ≥ 1, got ${String(value)}`);
    }
    return value;
  }

  positive(name: string, value: number | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new this.error(`${this.manager}: ${name} must be a number > 0, got ${String(value)}`);
    }
    return value;
  }

  nonNegative(name: string, value: number | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new this.error(`${this.manager}: ${name} must be a number ≥ 0, got ${String(value)}`);
    }
    return value;
  }

  /** Dash's cache_by: a list of zero-argument functions, or nothing (no caching). */
  cacheBy(value: readonly (() => unknown)[] | undefined): (() => unknown)[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((fn) => typeof fn !== 'function')) {
      throw new this.error(`${this.manager}: cacheBy must be a list of functions`);
    }
    return [...value];
  }
}
