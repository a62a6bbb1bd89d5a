/**
 * Module hooks for `module.register` (Node 20, which lacks the in-thread `module.registerHooks`):
 * an app file written as an ES module loads as one even where package.json says
 * `"type": "commonjs"` (module-syntax.ts). Registered after tsx where tsx loads the app, so tsx
 * resolves first and this corrects the format it found.
 */
import { moduleFormatFor } from './module-syntax.ts';

interface Resolved {
  url: string;
  format?: string | null;
}

export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context: unknown) => Promise<Resolved>,
): Promise<Resolved> {
  const resolved = await nextResolve(specifier, context);
  const format = moduleFormatFor(resolved.url, resolved.format);
  return format === undefined ? resolved : { ...resolved, format };
}
