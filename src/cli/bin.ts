#!/usr/bin/env node
// The installed package's `dash-ts` command: compiled JavaScript, no loader of its own. The app
// module is loaded by ../app-module/import.ts (Node's own type stripping where it has it).
// Inside the repository, bin/dash-ts.js runs these same sources through tsx instead.
import { main } from './main.ts';

await main(process.argv.slice(2));
