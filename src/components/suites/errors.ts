/**
 * The suite error on its own, so the modules that only throw or catch it (package.ts, the CLI,
 * the package's index) do not load the metadata reader, which only `dash-ts components add` runs.
 */

/**
 * A package whose component metadata cannot be read; the message names the package and what is
 * missing. Its text often quotes the package (names, error messages): control characters and line
 * separators in it are shown escaped, so a package cannot write terminal escapes or fake lines.
 */
export class SuiteMetadataError extends Error {
  constructor(message: string) {
    super(printable(message));
    this.name = 'SuiteMetadataError';
  }
}

/** `text` with C0/C1 control characters and U+2028/2029 as `\uXXXX`. */
export function printable(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
