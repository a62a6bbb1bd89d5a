/** The index page: config block, scripts in the order the renderer needs, the bootstrap. */
import { indexScriptPaths } from './assets.ts';

export interface IndexPageOptions {
  title: string;
  prefix: string;
  config: Record<string, unknown>;
  /** Serve the renderer's development build, which has Dash's dev-tools UI. */
  debug: boolean;
}

export function renderIndexPage({ title, prefix, config, debug }: IndexPageOptions): string {
  const scripts = indexScriptPaths({ debug })
    .map((path) => `<script src="${escapeHtml(prefix + path)}"></script>`)
    .join('\n');
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" type="image/x-icon" href="${escapeHtml(prefix)}_favicon.ico">
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

/** JSON inside a <script> block must not close it: `<` is escaped, which JSON.parse undoes. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
