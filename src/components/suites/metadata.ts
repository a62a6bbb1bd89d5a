/**
 * Reads a suite's prop metadata from its own bundle(s) without running them here: the extractor
 * child process (extraction.ts) runs them in a confined realm and answers with plain JSON, which
 * is checked (wire.ts) before the generator sees any of it.
 */
import { SuiteMetadataError } from './errors.ts';
import { type ExtractionOptions, runExtractor } from './extraction.ts';
import type { Descriptor } from './prop-types.ts';
import { COMPONENT_NAME, parseExtraction } from './wire.ts';

export { SuiteMetadataError };

export interface SuiteMetadata {
  /** JS namespace the renderer resolves components in (`window[namespace]`). */
  namespace: string;
  /** Component type → prop name → what its validator says, in sorted type order. */
  components: Map<string, Record<string, Descriptor>>;
}

export interface MetadataSource {
  /** Names the package in messages, e.g. `dash-table@7.4.1`. */
  label: string;
  /** The namespace the bundle is expected to define. */
  namespace: string;
  /** The folder all files lie in (the package): the only one the extractor may read. */
  root: string;
  /** Scripts to run in order (the bundle, then any metadata file that decorates it), absolute paths. */
  files: { path: string; shownAs: string; generatedMetadata?: boolean }[];
  /** What `document.currentScript.src` says while they run. */
  scriptUrl: string;
  /**
   * The package folder, whose shipped sources are read for the components whose bundle carries
   * production (shim) prop-types.
   */
  sourceDir?: string;
}

export function readSuiteMetadata(source: MetadataSource, options: ExtractionOptions = {}): SuiteMetadata {
  const answer = runExtractor({ ...source, componentName: COMPONENT_NAME.source }, options);
  return parseExtraction(answer, source.label, source.namespace);
}
