/**
 * Which module system an app file really uses. Node decides a `.js`/`.ts` file's module system
 * from the nearest package.json's "type" alone when that field is present, so an app written
 * with `import`/`export` fails to load in a project that says `"type": "commonjs"` (npm's
 * default). dash-ts loads the app's own files by what they contain instead, as Node itself does
 * for packages without a "type" field. The module hooks (native-hooks.ts, format-hooks.ts) use it.
 *
 * The test is lexical, on the raw text (TypeScript included, so no transpiler is needed): an
 * `import` or `export` statement at the start of a line. `import(` and `import.meta` are not
 * statements and do not count.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MODULE_STATEMENT =
  /^[ \t]*(?:import[ \t]*(?:type[ \t]+)?[\w*{$]|import[ \t]*['"]|export[ \t]*[{*]|export[ \t]+(?:default|const|let|var|function|class|async|type|interface|enum|abstract|declare|namespace|as)\b)/m;

export function hasModuleSyntax(source: string): boolean {
  return MODULE_STATEMENT.test(withoutComments(source));
}

/** Drops block and line comments, roughly (enough that commented-out imports do not count). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^[ \t]*\/\/.*$/gm, '');
}

/** The app's own files: on disk and not inside a dependency. */
export function isAppFile(url: string): boolean {
  return url.startsWith('file:') && !url.includes('/node_modules/');
}

/**
 * The ES module format for an app file that Node was about to load as CommonJS although it is
 * written as an ES module; undefined where Node's own choice stands.
 */
export function moduleFormatFor(
  url: string,
  format: string | null | undefined,
  source?: unknown,
): 'module' | 'module-typescript' | undefined {
  if (format !== 'commonjs' && format !== 'commonjs-typescript') return undefined;
  // A URL with a query (tsx's own internal requests among them) is left as it is.
  if (/\?|%3F/i.test(url) || !isAppFile(url) || /\.c[jt]s$/.test(url)) return undefined;
  let text: string;
  if (typeof source === 'string') text = source;
  else if (source instanceof Uint8Array) text = Buffer.from(source).toString('utf8');
  else {
    try {
      text = readFileSync(fileURLToPath(url), 'utf8');
    } catch {
      return undefined; // Node reports the missing file itself, in its own words.
    }
  }
  if (!hasModuleSyntax(text)) return undefined;
  return format === 'commonjs' ? 'module' : 'module-typescript';
}
