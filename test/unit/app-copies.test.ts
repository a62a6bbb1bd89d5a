/**
 * The pieces that make one app the same whatever copy of dash-ts runs it (issue 15, item 6):
 * the caller module read from unmapped call sites, and the app brand. The linked install and the
 * second copy themselves are in test/packaging/copies.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { APP_BRAND, brandOf, OWN_BRAND, sameMajor } from '../../src/app/app-brand.ts';
import { callerModule } from '../../src/app-module/caller-module.ts';
import { Dash } from '../../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-caller-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('callerModule', () => {
  it('names the module that called into dash-ts', () => {
    assert.equal(callerModule(), new URL(import.meta.url).pathname);
  });

  it('names the file that runs, not the source a source map points to', async () => {
    // A "compiled" module whose inline source map says its code came from another file.
    const generated = join(dir, 'generated.mjs');
    const map = { version: 3, sources: ['original-source.ts'], names: [], mappings: 'AAAA;AACA;AACA;AACA' };
    writeFileSync(
      generated,
      `import { callerModule } from ${JSON.stringify(new URL('../../src/app-module/caller-module.ts', import.meta.url).href)};\n` +
        'export const caller = () => callerModule();\n' +
        'export const stack = () => new Error().stack;\n' +
        `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`,
    );
    process.setSourceMapsEnabled(true);
    const module = (await import(pathToFileURL(generated).href)) as {
      caller(): string | undefined;
      stack(): string;
    };
    // Source maps are on: error.stack names the mapped source, which the old lookup took.
    assert.match(module.stack(), /original-source\.ts/);
    assert.equal(module.caller(), generated);
  });

  it("leaves the process's own stack trace hooks as they were", () => {
    const hook = (error: Error) => `hooked ${error.message}`;
    const { prepareStackTrace, stackTraceLimit } = Error;
    Error.prepareStackTrace = hook;
    Error.stackTraceLimit = 3;
    try {
      assert.equal(callerModule(), new URL(import.meta.url).pathname);
      assert.equal(Error.prepareStackTrace, hook);
      assert.equal(Error.stackTraceLimit, 3);
      assert.equal(new Error('x').stack, 'hooked x');
    } finally {
      Error.prepareStackTrace = prepareStackTrace;
      Error.stackTraceLimit = stackTraceLimit;
    }
  });
});

describe('the app brand', () => {
  it("an app carries its copy's version and folder", () => {
    assert.deepEqual(brandOf(new Dash()), OWN_BRAND);
    assert.match(OWN_BRAND.version, /^\d+\.\d+\.\d+/);
  });

  it("is read from another copy's app by the registry symbol alone", () => {
    const foreign = { [Symbol.for('dash-ts.app')]: { version: '7.1.0', packageDir: '/elsewhere/dash-ts' } };
    assert.equal(APP_BRAND, Symbol.for('dash-ts.app'));
    assert.deepEqual(brandOf(foreign), { version: '7.1.0', packageDir: '/elsewhere/dash-ts' });
    assert.equal(sameMajor(brandOf(foreign)!, OWN_BRAND), false);
    assert.equal(
      sameMajor({ version: `${OWN_BRAND.version.split('.')[0]}.99.0`, packageDir: '/x' }, OWN_BRAND),
      true,
    );
  });

  it('nothing else has one', () => {
    for (const value of [
      undefined,
      null,
      1,
      'app',
      {},
      { [APP_BRAND]: 'x' },
      { [APP_BRAND]: { version: 1 } },
    ]) {
      assert.equal(brandOf(value), undefined);
    }
  });
});
