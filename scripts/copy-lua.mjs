// tsc compiles src/ into dist/ but copies nothing else: this copies the BullMQ manager's Lua
// scripts (src/**/*.lua) to the same place under dist/, where the compiled loader looks for them.
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.lua')) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(dist, relative(src, from)));
  copied++;
}
if (copied === 0) throw new Error(`no .lua file found under ${src}`);
console.log(`copied ${copied} Lua files to dist/`);
