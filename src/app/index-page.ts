/** The index page: metas, stylesheets, config block, scripts in the order the renderer needs, the bootstrap. */
import { COMPONENT_SUITES, indexScriptPaths } from './assets.ts';

/** A tag given as a URL (`href` / `src`) or as its attributes, as Dash's external_stylesheets / external_scripts. */
export type TagSpec = string | Record<string, string>;

export interface IndexPageOptions {
  title: string;
  /** The requests prefix: what the browser puts before every URL. */
  prefix: string;
  config: Record<string, unknown>;
  /** Serve the renderer's development build, which has Dash's dev-tools UI. */
  debug: boolean;
  /** The app's metaTags; Dash's defaults are added before them unless given. */
  metaTags?: Record<string, string>[];
  /** A page's tags (pages/meta.ts): first, before Dash's defaults, as Dash's index puts them. */
  pageMetaTags?: Record<string, string>[];
  /** External stylesheets, then the assets folder's CSS (full URLs). */
  stylesheets?: TagSpec[];
  /** External scripts, then the assets folder's JS: loaded after React, before the renderer and components. */
  scripts?: TagSpec[];
  /** The favicon URL; default the built-in one. */
  favicon?: string;
  /** Script bodies after the bundles (clientside callbacks given as source), as Dash's inline scripts. */
  inlineScripts?: string[];
}

export function renderIndexPage(options: IndexPageOptions): string {
  const { title, prefix, config, debug } = options;
  const suites = indexScriptPaths({ debug });
  // React and friends first (Dash's _js_dist_dependencies), then the app's scripts, then the rest.
  const isDependency = (path: string) => path.startsWith(`${COMPONENT_SUITES}dash/deps/`);
  const sources: TagSpec[] = [
    ...suites.filter(isDependency).map((path) => prefix + path),
    ...(options.scripts ?? []),
    ...suites.filter((path) => !isDependency(path)).map((path) => prefix + path),
  ];
  const scripts = [
    ...sources.map((src) => tag('script', typeof src === 'string' ? { src } : src, true)),
    // `</script` inside the code (in a string) would end the block early; `<\/` means the same in JS.
    ...(options.inlineScripts ?? []).map(
      (body) => `<script>${body.replaceAll(/<\/script/gi, '<\\/script')}</script>`,
    ),
  ].join('\n');
  const links = (options.stylesheets ?? [])
    .map((href) => tag('link', typeof href === 'string' ? { rel: 'stylesheet', href } : href))
    .join('\n');
  const metas = [...(options.pageMetaTags ?? []), ...withDefaultMetas(options.metaTags ?? [])]
    .map((meta) => tag('meta', meta))
    .join('\n');
  const favicon = options.favicon ?? `${prefix}_favicon.ico`;
  return `<!DOCTYPE html>
<html>
<head>
${metas}
<title>${escapeHtml(title)}</title>
${tag('link', { rel: 'icon', type: 'image/x-icon', href: favicon })}
${links}
</head>
<body>
<div id="react-entry-point"><div class="_dash-loading">Loading...</div></div>
<footer>
<script id="_dash-config" type="application/json">${scriptSafeJson(config)}</script>
${scripts}
<script id="_dash-renderer" type="application/javascript">var renderer = new DashRenderer();</script>
</footer>
</body>
</html>
`;
}

/** Dash's _generate_meta: IE compatibility, charset and viewport unless the app gives its own. */
function withDefaultMetas(metaTags: Record<string, string>[]): Record<string, string>[] {
  const defaults: Record<string, string>[] = [];
  if (!metaTags.some((m) => m['http-equiv'] === 'X-UA-Compatible')) {
    defaults.push({ 'http-equiv': 'X-UA-Compatible', content: 'IE=edge' });
  }
  if (!metaTags.some((m) => 'charset' in m)) defaults.push({ charset: 'UTF-8' });
  if (!metaTags.some((m) => m.name === 'viewport')) {
    defaults.push({ name: 'viewport', content: 'width=device-width, initial-scale=1' });
  }
  return [...defaults, ...metaTags];
}

/** `<name a="b">` (or with its closing tag), every attribute escaped. */
function tag(name: string, attributes: Record<string, string>, closed = false): string {
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${escapeHtml(key)}="${escapeHtml(String(value))}"`)
    .join('');
  return closed ? `<${name}${attrs}></${name}>` : `<${name}${attrs}>`;
}

/** JSON inside a <script> block must not close it: `<` is escaped, which JSON.parse undoes. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

export function escapeHtml(text: string): string {
  return (
    text
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      // Python's html.escape, as Dash's format_tag uses, so meta tags match Dash's byte for byte.
      .replaceAll("'", '&#x27;')
  );
}
