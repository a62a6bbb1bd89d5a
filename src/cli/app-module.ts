/** Finding the app in an app module, shared by `dash-ts run` and `dash-ts worker`. */
import { brandOf, OWN_BRAND, sameMajor } from '../app/app-brand.ts';
import type { Dash } from '../app/dash.ts';
import { AppModuleError, importAppModule } from '../app-module/import.ts';

/** A command line the CLI cannot act on: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/**
 * Imports the app module and finds its app: the `app` export, else the default export. The app
 * is recognised by its brand, not `instanceof`: the module may import another copy of dash-ts
 * than this CLI's, which is fine within one major version.
 */
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
  const app = module.app ?? (brandOf(exported) ? exported : (exported?.app ?? exported));
  const brand = brandOf(app);
  if (!brand) {
    // A Dash from a copy of dash-ts older than the brand: say so rather than "no app".
    const unbranded = (app as object | undefined)?.constructor?.name === 'Dash';
    throw new UsageError(
      `${modulePath} must export a Dash app as \`app\` or as its default export` +
        (unbranded
          ? ` (its Dash comes from a copy of dash-ts that does not say its version; this dash-ts command is ${OWN_BRAND.version} at ${OWN_BRAND.packageDir})`
          : ''),
    );
  }
  if (!sameMajor(brand, OWN_BRAND)) {
    throw new UsageError(
      `${modulePath} builds its app with dash-ts ${brand.version} (${brand.packageDir}), but this ` +
        `dash-ts command is ${OWN_BRAND.version} (${OWN_BRAND.packageDir}), another major version: ` +
        "run the app with its own project's dash-ts (npx dash-ts in that project), or install one version",
    );
  }
  return app as Dash;
}
