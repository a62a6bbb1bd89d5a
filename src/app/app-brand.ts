/**
 * How a Dash app is recognised whatever copy of dash-ts built it. An app module may import
 * another copy than the CLI's (a project's own `node_modules/dash-ts` run with a global or linked
 * `dash-ts`, two versions in one tree), and `instanceof` knows only its own copy's class. Every
 * app carries this brand under a registry symbol, so any copy reads which version built it and
 * where that copy lies: within one major the CLI drives it; across majors it names both copies.
 */
import { DASH_TS_PACKAGE_DIR, DASH_TS_VERSION } from './version.ts';

export const APP_BRAND: unique symbol = Symbol.for('dash-ts.app');

export interface AppBrand {
  /** The version of the dash-ts copy whose Dash class built the app. */
  readonly version: string;
  /** Where that copy's package lies. */
  readonly packageDir: string;
}

export const OWN_BRAND: AppBrand = Object.freeze({
  version: DASH_TS_VERSION,
  packageDir: DASH_TS_PACKAGE_DIR,
});

/** The brand of an app built by any copy of dash-ts; undefined for anything else. */
export function brandOf(value: unknown): AppBrand | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const brand = (value as { [APP_BRAND]?: unknown })[APP_BRAND];
  if (typeof brand !== 'object' || brand === null) return undefined;
  const { version, packageDir } = brand as Partial<AppBrand>;
  if (typeof version !== 'string' || typeof packageDir !== 'string') return undefined;
  return { version, packageDir };
}

/** Copies of one major version share the app's API that the CLI uses. */
export function sameMajor(a: AppBrand, b: AppBrand): boolean {
  return majorOf(a.version) === majorOf(b.version);
}

function majorOf(version: string): string {
  return version.split('.')[0] ?? version;
}
