/** The files `dash-ts init` writes: a small project that `npm install && npm start` serves. */
import { DASH_TS_VERSION } from '../app/version.ts';

export function projectFiles(name: string): Record<string, string> {
  return {
    'package.json': `${JSON.stringify(
      {
        name,
        version: '0.1.0',
        private: true,
        type: 'module',
        scripts: { start: 'dash-ts run app.ts', typecheck: 'tsc --noEmit' },
        engines: { node: '>=20' },
        dependencies: { 'dash-ts': `^${DASH_TS_VERSION}` },
        devDependencies: { '@types/node': '^24.0.0', typescript: '^5.9.0' },
      },
      null,
      2,
    )}\n`,
    'app.ts': APP,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          // What Node's own type stripping runs (dash-ts uses it on Node 22.18+ and 24).
          erasableSyntaxOnly: true,
          allowImportingTsExtensions: true,
          skipLibCheck: false,
          types: ['node'],
        },
        include: ['*.ts'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\n.dash-ts/\n',
    'README.md': readme(name),
  };
}

const APP = `import { type CallbackContext, Dash, dcc, html, Input, Output } from 'dash-ts';

export const app = new Dash({ title: 'My dash-ts app' });

app.layout = html.Div({
  children: [
    html.H1({ children: 'My dash-ts app' }),
    dcc.Input({ id: 'name', value: 'world' }),
    html.Div({ id: 'greeting' }),
    html.Button({ id: 'run', children: 'Count to 5 in the background', n_clicks: 0 }),
    html.Progress({ id: 'progress', value: '0', max: '5' }),
    html.Div({ id: 'result' }),
  ],
});

// An ordinary callback: runs in the server process, at once.
app.callback(
  { output: Output('greeting', 'children'), inputs: [Input('name', 'value')] },
  (name: string) => \`Hello, \${name}!\`,
);

// A background callback: runs in a worker process, reports progress, can be slow.
app.callback(
  {
    background: true,
    output: Output('result', 'children'),
    inputs: [Input('run', 'n_clicks')],
    preventInitialCall: true,
    progress: Output('progress', 'value'),
    running: [[Output('run', 'disabled'), true, false]],
  },
  async (clicks: number, ctx: CallbackContext) => {
    for (let step = 1; step <= 5; step++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      ctx.setProgress(String(step));
    }
    return \`Counted to 5 (run #\${clicks})\`;
  },
);
`;

function readme(name: string): string {
  return `# ${name}

A [dash-ts](https://www.npmjs.com/package/dash-ts) app.

\`\`\`sh
npm install
npm start            # http://127.0.0.1:8050 (PORT and HOST change it)
npm run typecheck
\`\`\`

\`app.ts\` holds the layout and the callbacks. Background callbacks run in a pool of worker
processes; their store is \`.dash-ts/background.db\`. Deploy with Node 20 or newer: copy
\`package.json\`, \`package-lock.json\` and your \`.ts\` files, run \`npm ci --omit=dev\` and
\`NODE_ENV=production npm start\`.
`;
}
