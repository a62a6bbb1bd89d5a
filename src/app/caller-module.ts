/**
 * Finds the module that called into dash-ts (the one that ran `new Dash()`), from the stack.
 * Background workers import that module to fill their registrar exactly as the server did.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUR_SOURCES = dirname(dirname(fileURLToPath(import.meta.url)));

export function callerModule(): string | undefined {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const frame of stack) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?\s*$/.exec(frame.trim());
    if (!match) continue;
    const path = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (path.startsWith(OUR_SOURCES) || path.includes('/node_modules/')) continue;
    return path;
  }
  return undefined;
}
