/** Finding the app in an app module, shared by `dash-ts run` and `dash-ts worker`. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Dash } from '../app/dash.ts';

/** A command line the CLI cannot act on: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** Imports the app module and finds its app: the `app` export, else the default export. */
export async function loadApp(modulePath: string): Promise<Dash> {
  const url = pathToFileURL(resolve(modulePath)).href;
  const module = (await import(url)) as { app?: unknown; default?: unknown };
  const app = module.app ?? module.default;
  if (!(app instanceof Dash)) {
    throw new UsageError(`${modulePath} must export a Dash app as \`app\` or as its default export`);
  }
  return app;
}
