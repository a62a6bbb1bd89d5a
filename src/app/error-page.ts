/**
 * The body of a 500 answer to a callback. With `debug` the renderer's dev tools show it in an
 * iframe, so it carries the error in Dash's `errormsg` element; without, only a generic page.
 */
import { escapeHtml } from './index-page.ts';

export function callbackErrorPage(error: Error, debug: boolean): string {
  const detail = debug
    ? `<div class="detail"><p class="errormsg">${escapeHtml(`${error.name}: ${error.message}`)}</p></div>
<pre class="traceback">${escapeHtml(error.stack ?? '')}</pre>`
    : '<p>The server encountered an internal error while running a callback. See the server log.</p>';
  return `<!doctype html>
<html lang="en">
<head><title>${escapeHtml(debug ? error.name : 'Internal Server Error')}</title></head>
<body>
<h1>Internal Server Error</h1>
${detail}
</body>
</html>
`;
}
