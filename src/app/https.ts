/** Whether a request reached the app over HTTPS: the Secure flag of the cookies the app sets. */

/**
 * Whether the browser reached us over HTTPS: the request's own URL says so (a TLS server, or a
 * host that mounts `app.fetch` behind one), or, only when the app trusts its proxy
 * (`trustProxy: true`), the proxy's `X-Forwarded-Proto` (its first value, the client's side).
 * Without that trust the header is ignored: any client could send it.
 */
export function isHttps(request: Request, trustProxy: boolean): boolean {
  if (new URL(request.url).protocol === 'https:') return true;
  if (!trustProxy) return false;
  const forwarded = request.headers.get('X-Forwarded-Proto');
  return forwarded?.split(',')[0]?.trim().toLowerCase() === 'https';
}
