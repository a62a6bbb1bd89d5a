/**
 * The URL side of pages, as dash/_pages.py: path templates and query values (prefixes are
 * ../prefixes.ts).
 */
import { CallbackDefinitionError } from '../../base/errors.ts';

/** What a page's layout (and title) function receives: path variables and query values together. */
export type PageParams = Record<string, string>;

const VARIABLE = /<(.*?)>/g;

/** Dash's checks on `<name>` in a template: a valid identifier. */
export function assertPathTemplate(template: string): void {
  if (!template.startsWith('/')) {
    throw new CallbackDefinitionError(`pathTemplate ${JSON.stringify(template)} must start with "/"`);
  }
  for (const [, name] of template.matchAll(VARIABLE)) {
    if (!/^[A-Za-z_$][\w$]*$/.test(name ?? '')) {
      throw new CallbackDefinitionError(
        `\`${name}\` is not a valid variable name in \`pathTemplate\`: "${template}".`,
      );
    }
  }
}

/** Dash's default path for a template: every variable becomes "none". */
export function pathFromTemplate(template: string): string {
  return template.replace(VARIABLE, 'none');
}

/**
 * The variables of `path` (slashes stripped, as `_path_to_page` compares) under `template`, or
 * undefined when the static parts differ. As Dash, a variable matches any text, slashes included;
 * unlike Dash, values are URL-decoded (`a%20b` reaches the layout as `a b`).
 */
export function matchPathTemplate(template: string, path: string): PageParams | undefined {
  const names: string[] = [];
  let pattern = '';
  let last = 0;
  const stripped = stripSlashes(template);
  for (const match of stripped.matchAll(VARIABLE)) {
    pattern += escapeRegExp(stripped.slice(last, match.index)) + '(.*)';
    names.push(match[1] ?? '');
    last = match.index + match[0].length;
  }
  pattern += escapeRegExp(stripped.slice(last));
  const found = new RegExp(`^${pattern}$`, 's').exec(path);
  if (!found) return undefined;
  return Object.fromEntries(names.map((name, i) => [name, decode(found[i + 1] ?? '')]));
}

/**
 * Query values as `_parse_query_string` with `keep_blank_values`; a repeated key gives its first
 * value (Dash gives a list; params are strings here).
 */
export function parseQuery(search: string | null | undefined): PageParams {
  if (!search?.startsWith('?')) return {};
  const params: PageParams = {};
  for (const [key, value] of new URLSearchParams(search.slice(1))) {
    if (!Object.hasOwn(params, key)) params[key] = value;
  }
  return params;
}

export function stripSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
