/**
 * The metadata extractor's two fences, each alone: the permission-model flags refuse what code
 * that did reach the extractor's `process` would try (writes, processes, workers, reads elsewhere,
 * addons, code from strings), and the command refuses an answer that is not plain metadata of the
 * expected shape. suites-hostile.test.ts drives whole hostile packages through the command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { sandboxFlags } from '../../src/components/suites/extraction.ts';
import { parseExtraction } from '../../src/components/suites/wire.ts';

const TMP = mkdtempSync(path.join(tmpdir(), 'dash-ts-extractor-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

const EXTRACT = path.resolve(import.meta.dirname, '../../src/components/suites/extract');

describe('the metadata extractor', () => {
  test('its files import only each other and node: builtins (the compiled extractor may read only its folder)', () => {
    for (const file of readdirSync(EXTRACT).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(path.join(EXTRACT, file), 'utf8');
      for (const [, specifier] of source.matchAll(/^(?:import|export)\b[^'"]*?from '([^']+)'/gm)) {
        assert.match(specifier!, /^(node:|\.\/[\w-]+\.ts$)/, `${file} imports ${specifier}`);
      }
    }
  });

  test('with the realm escaped, the permission model still refuses writes, processes, workers and reads elsewhere', () => {
    // What the extractor's process may do if code did reach its `process`: run the same flags on a script that has it.
    const marker = path.join(TMP, 'pwned-permission');
    const script = `
      const outcome = (f) => { try { f(); return 'allowed'; } catch (e) { return e.code ?? e.name; } };
      console.log(JSON.stringify({
        write: outcome(() => require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')),
        spawn: outcome(() => require('child_process').spawnSync('touch', [${JSON.stringify(marker)}])),
        worker: outcome(() => new (require('worker_threads').Worker)('0', { eval: true })),
        readOutside: outcome(() => require('fs').readFileSync('/etc/hostname')),
        binding: outcome(() => process.binding('fs')),
        addon: outcome(() => process.dlopen({ exports: {} }, '/nonexistent.node')),
        readInside: outcome(() => require('fs').readdirSync(${JSON.stringify(TMP)})),
      }));`;
    const result = spawnSync(process.execPath, [...sandboxFlags([TMP]), '-e', script], {
      encoding: 'utf8',
      env: {},
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      write: 'ERR_ACCESS_DENIED',
      spawn: 'ERR_ACCESS_DENIED',
      worker: 'ERR_ACCESS_DENIED',
      readOutside: 'ERR_ACCESS_DENIED',
      binding: 'ERR_ACCESS_DENIED',
      addon: 'ERR_DLOPEN_DISABLED',
      readInside: 'allowed',
    });
    assert.ok(!existsSync(marker));
    // Code from strings outside a vm realm is refused too (the constructor escape needs it).
    const strings = spawnSync(process.execPath, [...sandboxFlags([TMP]), '-e', "Function('return 1')()"], {
      encoding: 'utf8',
      env: {},
    });
    assert.match(strings.stderr, /EvalError: Code generation from strings disallowed/);
  });

  test('the command checks the extractor’s answer: malformed shapes and names that are not identifiers are refused', () => {
    const answer = (components: unknown) => JSON.stringify({ ok: true, namespace: 'ns', components });
    const cases: [string, RegExp][] = [
      [answer([['Bad\nName', []]]), /component type "Bad\\nName" is not an identifier/],
      [answer([['lower', []]]), /component type "lower" is not an identifier/],
      [answer([['X', [['p', { kind: 'eval' }]]]]), /unknown descriptor kind "eval"/],
      [
        answer([['X', [['p', { kind: 'shape', shape: { a: { kind: 'any' } } }]]]]),
        /a prop list is not a list/,
      ],
      [answer([['X', [['p', {}]]]]), /a descriptor has no kind/],
      [answer([['X', [[1, { kind: 'any' }]]]]), /a prop is not \[name, type\]/],
      [
        answer([
          [
            'X',
            [
              ['p', { kind: 'any' }],
              ['p', { kind: 'any' }],
            ],
          ],
        ]),
        /prop "p" appears twice/,
      ],
      [
        answer([
          ['X', []],
          ['X', []],
        ]),
        /component X appears twice/,
      ],
      [answer('x'), /no component list/],
      [JSON.stringify({ ok: true, namespace: 'other', components: [] }), /namespace differs/],
      ['not json', /answer is not JSON/],
      [JSON.stringify({ ok: false, message: 'x: \u001b[31mred' }), /^x: \\u001b\[31mred$/],
    ];
    let deep: unknown = { kind: 'any' };
    for (let i = 0; i < 40; i++) deep = { kind: 'arrayOf', of: deep };
    cases.push([answer([['X', [['p', deep]]]]), /nests too deep/]);
    for (const [text, expected] of cases) {
      assert.throws(
        () => parseExtraction(text, 'x', 'ns'),
        (error: Error) => {
          assert.match(error.message, expected);
          assert.equal(error.name, 'SuiteMetadataError');
          return true;
        },
      );
    }
  });
});
