/** This copy of dash-ts: its version, and where its package lies (named when two copies meet). */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

const packageJson = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as {
  version: string;
};

export const DASH_TS_VERSION = packageJson.version;

export const DASH_TS_PACKAGE_DIR = dirname(fileURLToPath(PACKAGE_JSON));
