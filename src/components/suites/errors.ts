/**
 * The suite error on its own, so the modules that only throw or catch it (package.ts, the CLI,
 * the package's index) do not load the metadata reader (metadata.ts: a vm sandbox, the prop-types
 * evaluator), which only `dash-ts components add` runs.
 */

/** A package whose component metadata cannot be read; the message names the package and what is missing. */
export class SuiteMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteMetadataError';
  }
}
