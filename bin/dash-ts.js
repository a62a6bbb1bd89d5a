#!/usr/bin/env node
// The CLI runs TypeScript app modules with no build step: tsx's loader is registered first,
// so the app module, its sibling modules and dash-ts's own sources all load as TypeScript.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
