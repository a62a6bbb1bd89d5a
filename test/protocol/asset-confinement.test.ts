/**
 * The assets folder as an attacker would fill it (git keeps symlinks; copies keep dotfiles):
 * symlinks to a file, a folder, the project root, /etc/passwd and /proc/self/environ are 404s and
 * never linked in the page; dotfiles are neither served nor linked unless assetsServeDotfiles; only
 * regular files are served (a FIFO is a 404 at once); and every answer's Content-Length is the
 * number of bytes sent, checked on one kept-alive socket, where a wrong one would break the next
 * answer. Real files, real symlinks, a real HTTP server.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Dash, type DashOptions, html } from '../../src/index.ts';
import { recordingLogger } from '../support/http.ts';

const project = mkdtempSync(path.join(tmpdir(), 'dash-ts-confined-'));
const folder = path.join(project, 'assets');
mkdirSync(path.join(folder, 'sub'), { recursive: true });
mkdirSync(path.join(folder, '.git'));
mkdirSync(path.join(folder, '.well-known'));
writeFileSync(path.join(project, 'secret.txt'), 'TOPSECRET beside the folder');
writeFileSync(path.join(project, 'app.ts'), 'export const PROJECT_SOURCE = 1;');
const inside: Record<string, string> = {
  'site.css': '.site {}',
  'sub/deep.js': 'window.deep = 1;',
  'empty.txt': '',
  '.env': 'DATABASE_PASSWORD=hunter2',
  '.git/config': '[remote "origin"] url = https://token@example.com/x.git',
  '.well-known/security.txt': 'Contact: x',
  'sub/.hidden.css': '.hidden {}',
  '.dot.js': 'window.dot = 1;',
};
for (const [file, text] of Object.entries(inside)) writeFileSync(path.join(folder, file), text);
const links: Record<string, string> = {
  'passwd.css': '/etc/passwd',
  'environ.txt': '/proc/self/environ',
  'secret-link.css': path.join(project, 'secret.txt'),
  'outside-dir': project, // the project root, as a folder
  up: '..', // the project root again, relatively
  etc: '/etc',
  'self.css': 'site.css', // inside the folder: served
  'sub/alias.js': '../sub/deep.js', // inside the folder: served
  'env-alias.txt': '.env', // inside, but a dotfile under another name
  'dangling.css': 'nowhere.css',
};
for (const [name, target] of Object.entries(links)) symlinkSync(target, path.join(folder, name));
execFileSync('mkfifo', [path.join(folder, 'pipe.css')]);
// The folder itself may be a symlink (a shared assets folder): its files are served.
const linkedFolder = path.join(project, 'linked-assets');
symlinkSync(folder, linkedFolder);

after(() => rmSync(project, { recursive: true, force: true }));

function newApp(options: DashOptions = {}): Dash {
  const app = new Dash({ logger: recordingLogger(), assetsFolder: folder, ...options });
  app.layout = html.Div({ id: 'root' });
  return app;
}

const get = (app: Dash, target: string) => app.fetch(new Request(`http://localhost${target}`));

const REFUSED = [
  '/assets/passwd.css',
  '/assets/environ.txt',
  '/assets/secret-link.css',
  '/assets/outside-dir',
  '/assets/outside-dir/secret.txt',
  '/assets/outside-dir/app.ts',
  '/assets/up/secret.txt',
  '/assets/up/assets/.env',
  '/assets/etc/passwd',
  '/assets/env-alias.txt',
  '/assets/dangling.css',
  '/assets/pipe.css',
  '/assets/.env',
  '/assets/.git/config',
  '/assets/.well-known/security.txt',
  '/assets/sub/.hidden.css',
  '/assets/.dot.js',
  '/assets/%2eenv',
  '/assets/.git%2fconfig',
];

const LEAKS = /TOPSECRET|root:|PATH=|hunter2|token@|PROJECT_SOURCE|Contact/;

describe('assets: symlinks out of the folder, dotfiles and special files are 404', () => {
  const app = newApp();
  for (const target of REFUSED) {
    it(target, async () => {
      const res = await get(app, target);
      const body = await res.text();
      assert.equal(res.status, 404, `${target}: ${res.status} ${body.slice(0, 80)}`);
      assert.doesNotMatch(body, LEAKS);
    });
  }

  it('serves regular files and symlinks that stay inside the folder', async () => {
    for (const [target, text] of [
      ['/assets/site.css', '.site {}'],
      ['/assets/self.css', '.site {}'],
      ['/assets/sub/alias.js', 'window.deep = 1;'],
      ['/assets/empty.txt', ''],
    ] as const) {
      const res = await get(app, target);
      assert.equal(res.status, 200, target);
      assert.equal(await res.text(), text, target);
      assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)), target);
    }
  });

  it('a FIFO is refused at once, not waited on', async () => {
    const started = performance.now();
    const res = await get(app, '/assets/pipe.css');
    await res.arrayBuffer();
    assert.equal(res.status, 404);
    assert.ok(performance.now() - started < 1000);
  });

  it('serves from a folder that is itself a symlink', async () => {
    const res = await get(newApp({ assetsFolder: linkedFolder }), '/assets/sub/deep.js');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'window.deep = 1;');
    const out = await get(newApp({ assetsFolder: linkedFolder }), '/assets/secret-link.css');
    assert.equal(out.status, 404);
    await out.arrayBuffer();
  });
});

describe('assets: the page links what is served, by the same rule', () => {
  it('links no symlink out, no dotfile, no FIFO; links symlinks that stay inside', async () => {
    const page = await (await get(newApp(), '/')).text();
    const linked = [...page.matchAll(/(?:href|src)="\/assets\/([^"?]+)/g)].map((m) => m[1]).sort();
    assert.deepEqual(linked, ['self.css', 'site.css', 'sub/alias.js', 'sub/deep.js']);
  });

  it('with assetsServeDotfiles, dotfiles inside the folder are served and linked, symlinks out still not', async () => {
    const app = newApp({ assetsServeDotfiles: true });
    const env = await get(app, '/assets/.env');
    assert.equal(env.status, 200);
    assert.equal(await env.text(), inside['.env']);
    const git = await get(app, '/assets/.git/config');
    assert.equal(git.status, 200);
    await git.arrayBuffer();
    const alias = await get(app, '/assets/env-alias.txt');
    assert.equal(alias.status, 200);
    await alias.arrayBuffer();
    for (const target of ['/assets/environ.txt', '/assets/up/secret.txt', '/assets/passwd.css']) {
      const res = await get(app, target);
      assert.equal(res.status, 404, target);
      await res.arrayBuffer();
    }
    const page = await (await get(app, '/')).text();
    const linked = [...page.matchAll(/(?:href|src)="\/assets\/([^"?]+)/g)].map((m) => m[1]).sort();
    assert.deepEqual(linked, [
      '.dot.js',
      'self.css',
      'site.css',
      'sub/.hidden.css',
      'sub/alias.js',
      'sub/deep.js',
    ]);
  });
});

describe('assets over one kept-alive socket: Content-Length is the bytes sent', () => {
  let port: number;
  let close: () => Promise<void>;
  before(async () => {
    const server = await newApp().run({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(server.url).port);
    close = server.close;
  });
  after(() => close());

  /** Reads HTTP/1.1 answers off one socket, framing them by Content-Length (or chunks) as a client must. */
  class Conversation {
    readonly #socket: Socket;
    #buffer = Buffer.alloc(0);
    #waiting: (() => void) | undefined;

    constructor(socket: Socket) {
      this.#socket = socket;
      socket.on('data', (chunk: Buffer) => {
        this.#buffer = Buffer.concat([this.#buffer, chunk]);
        this.#waiting?.();
      });
    }

    async ask(
      method: string,
      target: string,
    ): Promise<{ status: number; length: number | undefined; body: string }> {
      this.#socket.write(`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`);
      const head = await this.#take((b) => {
        const end = b.indexOf('\r\n\r\n');
        return end < 0 ? undefined : end + 4;
      });
      const headText = head.toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headText)![1]);
      const lengthMatch = /\r\ncontent-length: (\d+)/i.exec(headText);
      const length = lengthMatch ? Number(lengthMatch[1]) : undefined;
      if (method === 'HEAD' || status === 304) return { status, length, body: '' };
      if (length !== undefined) return { status, length, body: (await this.#take(() => length)).toString() };
      assert.match(headText, /transfer-encoding: chunked/i, 'neither Content-Length nor chunked');
      let body = '';
      for (;;) {
        const sizeLine = await this.#take((b) => {
          const end = b.indexOf('\r\n');
          return end < 0 ? undefined : end + 2;
        });
        const size = Number.parseInt(sizeLine.toString(), 16);
        const chunk = await this.#take(() => size + 2);
        if (size === 0) return { status, length, body };
        body += chunk.subarray(0, size).toString();
      }
    }

    async #take(end: (buffer: Buffer) => number | undefined): Promise<Buffer> {
      for (;;) {
        const at = end(this.#buffer);
        if (at !== undefined && this.#buffer.length >= at) {
          const taken = this.#buffer.subarray(0, at);
          this.#buffer = this.#buffer.subarray(at);
          return taken;
        }
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no (complete) answer within 5 s')), 5000);
          this.#waiting = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  it('every answer is framed right, so the next one on the socket is intact', async () => {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    const talk = new Conversation(socket);
    try {
      for (const target of [...REFUSED, '/assets/site.css', '/assets/empty.txt', '/assets/sub/alias.js']) {
        for (const method of ['GET', 'HEAD']) {
          const answer = await talk.ask(method, target);
          assert.doesNotMatch(answer.body, LEAKS, target);
          if (method === 'GET' && answer.length !== undefined) {
            assert.equal(Buffer.byteLength(answer.body), answer.length, `${target}: framing`);
          }
        }
        // The socket still speaks HTTP after each: a wrong length would have eaten or left bytes.
        const check = await talk.ask('GET', '/assets/site.css');
        assert.equal(check.status, 200, `after ${target}`);
        assert.equal(check.body, '.site {}', `after ${target}`);
      }
    } finally {
      socket.destroy();
    }
  });
});
