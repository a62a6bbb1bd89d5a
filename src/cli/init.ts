/**
 * `dash-ts init [dir]`: writes a small runnable project into dir (default: the current folder).
 * It never overwrites: if any of its files already exists there, it writes nothing.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './app-module.ts';
import { projectFiles } from './init-templates.ts';

export async function initCommand(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true });
  if (positionals.length > 1) throw new UsageError('init takes at most one folder');
  const dir = resolve(positionals[0] ?? '.');
  const files = projectFiles(packageName(basename(dir)));
  const clashes = Object.keys(files).filter((file) => existsSync(join(dir, file)));
  if (clashes.length > 0) {
    throw new UsageError(
      `${dir} already has ${clashes.join(', ')}; init writes only into a folder without them`,
    );
  }
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text, { flag: 'wx' });
  const cd = relative(process.cwd(), dir);
  process.stdout.write(
    `dash-ts: wrote ${Object.keys(files).join(', ')} in ${dir}\n\n` +
      `  ${cd ? `cd ${cd} && ` : ''}npm install && npm start\n`,
  );
}

/** A valid npm package name made from the folder's name. */
function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name || 'dash-ts-app';
}
