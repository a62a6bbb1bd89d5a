/**
 * A client that closes its connection mid-request (a tab closed during a poll, a proxy timeout,
 * a scanner) makes reading the body fail with Node's `aborted` (ECONNRESET). That is routine, not
 * a server fault: it is logged at debug level, in one line without a stack.
 */
export function isClientGone(error: unknown, request: Request): boolean {
  if (request.signal.aborted) return true;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
