#!/usr/bin/env node
// The repository's development entry point (tests, `npm start`): runs dash-ts from its TypeScript
// sources through tsx, no build step. The installed package runs the compiled dist/cli/bin.js.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
