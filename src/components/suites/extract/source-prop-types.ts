/**
 * A fallback for bundles built with production prop-types, whose validators are all one shim and
 * say nothing: the `<Type>.propTypes = {...}` declarations in the package's shipped sources (what
 * Dash's own metadata extractor reads) are cut out here, as text, and evaluated alone inside the
 * realm against the recording PropTypes (realm.ts). Links are not followed: only regular files
 * and folders of the package are read.
 */
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SOURCE_FILE = /\.(js|jsx|ts|tsx|mjs)$/;
const SKIPPED = new Set(['node_modules', '__tests__', 'test', 'tests', '.git']);
const DECLARATION = /\b([A-Z][A-Za-z0-9]*)\.propTypes\s*=\s*\{/g;

/** Component type → the text of its propTypes object literal, from every source file under `dir`. */
export function propTypesDeclarations(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(dir, 6)) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(DECLARATION)) {
      const open = match.index + match[0].length - 1;
      const literal = objectLiteralAt(source, open);
      if (literal && !found.has(match[1]!)) found.set(match[1]!, literal);
    }
  }
  return found;
}

function sourceFiles(dir: string, depth: number): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory())
        return depth > 0 && !SKIPPED.has(entry.name) ? sourceFiles(full, depth - 1) : [];
      return entry.isFile() && SOURCE_FILE.test(entry.name) && !entry.name.includes('.test.') ? [full] : [];
    });
}

/** The `{...}` starting at `open`, skipping strings, template literals and comments; undefined if unbalanced. */
export function objectLiteralAt(source: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const char = source[i]!;
    if (char === '"' || char === "'" || char === '`') {
      i = endOfString(source, i);
      if (i < 0) return undefined;
    } else if (char === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i);
      if (i < 0) return undefined;
    } else if (char === '/' && source[i + 1] === '*') {
      i = source.indexOf('*/', i + 2) + 1;
      if (i <= 0) return undefined;
    } else if (char === '{') {
      depth++;
    } else if (char === '}') {
      depth--;
      if (depth === 0) return source.slice(open, i + 1);
    }
  }
  return undefined;
}

function endOfString(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i;
  }
  return -1;
}
