/**
 * The layers of src/, each using only those below it (README, "Architecture"):
 *
 *   cli/                          the commands
 *   app/                          the host (Dash class, routes, assets, pages, jobs monitor)
 *   background/                   the managers, orchestrator, job options: nothing of the host
 *   callbacks/   components/      the callback model, the component builders
 *   base/        app-module/      logging, errors; loading the user's app module
 *
 * `npm run deps` checks them (a step of `npm test`); test/unit/dependency-rules.test.ts proves
 * that each rule fails on a wrong-way import. Type-only imports count: a type from a higher layer
 * is a dependency on it all the same.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Two modules that need each other belong in one, or their shared part in a third below both.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'base-imports-nothing-above',
      severity: 'error',
      comment: 'base/ (logging, errors) is the floor: it imports nothing else of src/.',
      from: { path: '^src/base/' },
      to: { path: '^src/', pathNot: '^src/base/' },
    },
    {
      name: 'app-module-on-base-only',
      severity: 'error',
      comment: 'app-module/ (finding and importing the user app module) stands on base/ alone.',
      from: { path: '^src/app-module/' },
      to: { path: '^src/', pathNot: '^src/(base|app-module)/' },
    },
    {
      name: 'components-on-the-floor-only',
      severity: 'error',
      comment: 'components/ (html/dcc builders, suites) uses only base/ and app-module/.',
      from: { path: '^src/components/' },
      to: { path: '^src/', pathNot: '^src/(base|app-module|components)/' },
    },
    {
      name: 'callbacks-below-background',
      severity: 'error',
      comment: 'callbacks/ (the callback model) never imports background/, app/ or cli/.',
      from: { path: '^src/callbacks/' },
      to: { path: '^src/(background|app|cli)/' },
    },
    {
      name: 'background-below-the-host',
      severity: 'error',
      comment: 'background/ (managers, orchestrator, job options) knows nothing of the host (app/) or cli/.',
      from: { path: '^src/background/' },
      to: { path: '^src/(app|cli)/' },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'cli/ is the top floor: nothing outside it imports it.',
      from: { pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    includeOnly: '^src/',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
