/** Finding the app in an app module, shared by `dash-ts run` and `dash-ts worker`. */
import { Dash } from '../app/dash.ts';
import { AppModuleError, importAppModule } from '../app-module/import.ts';

/** A command line the CLI cannot act on: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** Imports the app module and finds its app: the `app` export, else the default export. */
export async function loadApp(modulePath: string): Promise<Dash> {
  let module: Record<string, unknown>;
  try {
    module = await importAppModule(modulePath);
  } catch (error) {
    if (error instanceof AppModuleError) throw new UsageError(error.message);
    throw error;
  }
  // A CommonJS app's module.exports arrives as the default export.
  const exported = module.default as { app?: unknown } | undefined;
  const app = module.app ?? (exported instanceof Dash ? exported : (exported?.app ?? exported));
  if (!(app instanceof Dash)) {
    throw new UsageError(`${modulePath} must export a Dash app as \`app\` or as its default export`);
  }
  return app;
}
