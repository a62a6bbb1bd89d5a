/** Talks to an app through its WHATWG handler, as the renderer would over HTTP. */
import type { Dash } from '../../src/index.ts';

export async function postUpdate(app: Dash, body: unknown, query = ''): Promise<Response> {
  return app.fetch(
    new Request(`http://localhost/_dash-update-component${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

export async function getJson(app: Dash, path: string): Promise<unknown> {
  const response = await app.fetch(new Request(`http://localhost${path}`));
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A request body for a callback, shaped like the renderer's. */
export function callBody(
  output: string,
  outputs: unknown,
  inputs: unknown[],
  options: { state?: unknown[]; changed?: string[] } = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    output,
    outputs,
    inputs,
    changedPropIds: options.changed ?? [],
  };
  if (options.state) body.state = options.state;
  return body;
}

/** Collects what the app logs, to assert a log line was written. */
export function recordingLogger(): {
  lines: string[];
  debug(m: string): void;
  info(m: string): void;
  warn(m: string): void;
  error(m: string, error?: unknown): void;
} {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m, error?: unknown) =>
      lines.push(`error: ${m}${error instanceof Error ? `\n${error.stack}` : ''}`),
  };
}
