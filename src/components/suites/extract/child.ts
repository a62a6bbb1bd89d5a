/**
 * The metadata extractor: a child process that `dash-ts components add` starts under Node's
 * permission model (../extraction.ts says with which flags and limits). It runs a suite's bundle
 * in a vm realm of its own (realm.ts), reads the components' propTypes back as JSON and writes
 * one ExtractionResult to stdout, then exits at once: promise or microtask loops the bundle queued
 * never get to run, and anything that does not end is killed by the command.
 */
import { readFileSync, realpathSync, writeSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import type { ExtractionRequest, ExtractionResult } from './protocol.ts';
import { LEAVES, MAX_DEPTH } from './protocol.ts';
import { type RealmApi, realmPrelude, type Survey } from './realm.ts';
import { propTypesDeclarations } from './source-prop-types.ts';

/** A failure the result reports as its message. */
class ExtractionFailure extends Error {}

/**
 * Ways out of the process that the permission model does not close on every Node version (it has
 * no network switch before Node 25): none is reachable from the realm, and none stays here either.
 */
function hardenProcess(): void {
  for (const name of ['getBuiltinModule', 'binding', '_linkedBinding', 'dlopen']) {
    Reflect.deleteProperty(process, name);
  }
}

function extract(request: ExtractionRequest): ExtractionResult {
  const root = realpathSync(request.root);
  const readInside = (file: string): string => {
    let real: string | undefined;
    try {
      real = realpathSync(file);
    } catch (error) {
      // Outside the readable folder, resolving the link is itself refused.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_ACCESS_DENIED') throw error;
    }
    if (real === undefined || !real.startsWith(root + path.sep)) {
      throw new ExtractionFailure(
        `${request.label}: ${path.basename(file)} links out of the package; refused`,
      );
    }
    return readFileSync(real, 'utf8');
  };
  const context = vm.createContext(Object.create(null), { codeGeneration: { strings: true, wasm: false } });
  const prelude = `(${realmPrelude.toString()})`;
  const api = (vm.runInContext(prelude, context) as typeof realmPrelude)(
    request.scriptUrl,
    request.componentName,
    [...LEAVES],
    MAX_DEPTH,
  ) as RealmApi;
  // The API's functions are kept here, where the bundle cannot replace them.
  const { tolerateUnexported, survey, collect } = api;

  for (const file of request.files) {
    if (file.generatedMetadata) tolerateUnexported(request.namespace);
    let source = readInside(file.path);
    if (file.generatedMetadata && !parses(source)) source = quoteObjectKeys(source);
    try {
      vm.runInContext(source, context, { filename: file.shownAs });
    } catch (error) {
      const message = messageOf(error);
      const hint = /is not defined/.test(message)
        ? ' (the bundle needs a browser global that src/components/suites/extract/realm.ts does not provide)'
        : '';
      throw new ExtractionFailure(
        `${request.label} is not a Dash component suite dash-ts can read: running ${file.shownAs}, which should ` +
          `define window.${request.namespace} and its components' propTypes, failed: ${message}${hint}`,
      );
    }
  }

  const found = JSON.parse(textOf(survey(request.namespace))) as Survey;
  if (!found.defined) {
    const globals = found.globals ?? [];
    throw new ExtractionFailure(
      `${request.label}: ${request.files[0]?.shownAs} did not define window.${request.namespace}, so it is not a ` +
        `Dash component suite with that namespace (it defined ${globals.length ? globals.join(', ') : 'no globals'})`,
    );
  }
  const literals: Record<string, string> = {};
  if (request.sourceDir && (found.uninformative ?? []).length > 0) {
    const declarations = propTypesDeclarations(request.sourceDir);
    for (const type of found.uninformative ?? []) {
      const literal = declarations.get(type);
      if (literal !== undefined) literals[type] = literal;
    }
  }
  const result = JSON.parse(textOf(collect(request.namespace, JSON.stringify(literals)))) as ExtractionResult;
  if (result.ok) return result;
  const inSources = request.sourceDir && result.message.startsWith('no prop metadata');
  return {
    ok: false,
    message: `${request.label}: ${result.message}${inSources ? ' nor in the sources the package ships' : ''}`,
  };
}

/** An answer from the realm, which must be a string (it is the bundle's realm: trust nothing else). */
function textOf(value: unknown): string {
  if (typeof value !== 'string') throw new ExtractionFailure('the realm answered something that is not text');
  return value;
}

/** Errors raised in the realm are its own objects (`instanceof Error` is false there). */
function messageOf(error: unknown): string {
  try {
    return String((error as { message?: unknown } | null)?.message ?? error);
  } catch {
    return 'an error that cannot be shown';
  }
}

function parses(source: string): boolean {
  try {
    new vm.Script(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * Dash-generated metadata files whose object keys are not identifiers (dash_mantine_components
 * 2.x ships `{data-*:pt.string}`, which no JS engine parses): `{data-*:x}` → `{'data-*':x}`.
 */
function quoteObjectKeys(source: string): string {
  return source.replace(/([{,]\s*)([A-Za-z_$][\w$]*(?:[-*][\w$*-]*)+)(\s*:)/g, "$1'$2'$3");
}

/** All of `text` to stdout, synchronously (a pipe may take it in parts). */
function writeAll(text: string): void {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

hardenProcess();
const request = JSON.parse(process.argv[process.argv.length - 1]!) as ExtractionRequest;
let result: ExtractionResult;
try {
  result = extract(request);
} catch (error) {
  const message =
    error instanceof ExtractionFailure ? error.message : `${request.label}: ${messageOf(error)}`;
  result = { ok: false, message };
}
writeAll(JSON.stringify(result));
process.exit(0);
