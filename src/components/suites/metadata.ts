/**
 * Reads a suite's prop metadata from its own bundle(s) without running them here: the extractor
 * child process (extraction.ts) runs them in a confined realm and answers with plain JSON, which
 * is checked (wire.ts) before the generator sees any of it.
 */
import { SuiteMetadataError } from './errors.ts';
import type { ExtractionRequest } from './extract/protocol.ts';
import { type ExtractionOptions, runExtractor } from './extraction.ts';
import { COMPONENT_NAME, parseExtraction, type SuiteMetadata } from './wire.ts';

export type { SuiteMetadata };
export { SuiteMetadataError };

/** What to read, as the extractor is asked (extract/protocol.ts), less what the reader adds. */
export type MetadataSource = Omit<ExtractionRequest, 'componentName'>;

export function readSuiteMetadata(source: MetadataSource, options: ExtractionOptions = {}): SuiteMetadata {
  const answer = runExtractor({ ...source, componentName: COMPONENT_NAME.source }, options);
  return parseExtraction(answer, source.label, source.namespace);
}
