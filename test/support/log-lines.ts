/** The non-empty lines a test job wrote to `path` so far (none while the file does not exist). */
import { readFileSync } from 'node:fs';

export function logLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
