/**
 * An app module that starts its own server at top level, on SELF_RUN_PORT (else 8051), as a
 * standalone script would. Under `dash-ts run`, the CLI's --port/--host must win and the app
 * must be served once.
 */
import { Dash, html } from '../../src/index.ts';

export const app = new Dash({ title: 'self-running' });

app.layout = html.Div({ id: 'self', children: 'self-running app' });

await app.run({ port: Number(process.env.SELF_RUN_PORT ?? 8051), host: '127.0.0.1' });
