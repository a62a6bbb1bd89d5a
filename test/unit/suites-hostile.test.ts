// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the payloads are strings that look like template placeholders on purpose.
/**
 * `dash-ts components add` on hostile packages, built as real package folders in a temp project:
 * bundles that try to leave the extractor's realm (constructor walks, `process`, `require`,
 * `import()`), to write a file, start a process or open a socket, that never end (synchronous,
 * microtask, promise, getter and Atomics.wait loops) or answer too much, that link out of the
 * package, and whose prop names, literals, versions and file names carry code. Proved: no file
 * appears outside the module the command writes, the command ends within its limit, and the
 * module holds only statements of the generator's known forms, which run no planted code.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import vm from 'node:vm';
import ts from 'typescript';
import { generateSuiteModule } from '../../src/components/suites/generate.ts';
import { namespaceFor } from '../../src/components/suites/package.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TMP = mkdtempSync(path.join(tmpdir(), 'dash-ts-hostile-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

/** A project folder with `node_modules/<name>` holding package.json and the bundle (more files optional). */
function hostilePackage(
  name: string,
  bundle: string,
  options: { version?: string; packageName?: string; main?: string; files?: Record<string, string> } = {},
) {
  const project = mkdtempSync(path.join(TMP, 'project-'));
  const dir = path.join(project, 'node_modules', name);
  const namespace = namespaceFor(options.packageName ?? name);
  mkdirSync(path.join(dir, namespace), { recursive: true });
  const pkg = { name: options.packageName ?? name, version: options.version ?? '1.0.0', main: options.main };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  if (!options.main) writeFileSync(path.join(dir, namespace, `${namespace}.js`), bundle);
  for (const [file, text] of Object.entries(options.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return { project, dir, namespace };
}

/** Every file under `dir` (links not followed). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** `dash-ts components add <name> --no-install` in `project`, as a user runs it. */
function componentsAdd(project: string, name: string, timeoutSeconds: number) {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'bin/dash-ts.js'),
      'components',
      'add',
      name,
      '--no-install',
      '--timeout',
      String(timeoutSeconds),
    ],
    { cwd: project, encoding: 'utf8', timeout: 120_000 },
  );
  return { ...result, ms: performance.now() - started };
}

/** A valid one-component suite after `prefix`; `props` is JS source of its propTypes object. */
const suite = (namespace: string, prefix: string, props = '{ label: PropTypes.string }') =>
  `${prefix}\nwindow.${namespace} = { Widget: function Widget() {} };\nwindow.${namespace}.Widget.propTypes = ${props};\n`;

/**
 * The generated module's top-level statements, each checked against the forms the generator
 * writes: the `dash-ts` import, `const suite = registerSuite({...literals...})`, type aliases, and
 * `export const X = suite.component<XProps>('X')`. Returns the module's parsed form.
 */
function assertOnlyGeneratorStatements(text: string): ts.SourceFile {
  const diagnostics = ts.transpileModule(text, { reportDiagnostics: true }).diagnostics ?? [];
  assert.deepEqual(
    diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    [],
    'the module parses without errors',
  );
  const source = ts.createSourceFile('module.ts', text, ts.ScriptTarget.ES2022, true);
  const isString = (node: ts.Node) => ts.isStringLiteral(node);
  for (const statement of source.statements) {
    const shown = statement.getText(source).slice(0, 200);
    if (ts.isImportDeclaration(statement)) {
      assert.ok(isString(statement.moduleSpecifier), shown);
      assert.equal((statement.moduleSpecifier as ts.StringLiteral).text, 'dash-ts', shown);
      const bindings = statement.importClause?.namedBindings;
      assert.ok(bindings && ts.isNamedImports(bindings), shown);
      for (const element of bindings.elements) {
        assert.ok(['Children', 'ComponentId', 'registerSuite'].includes(element.name.text), shown);
      }
    } else if (ts.isTypeAliasDeclaration(statement)) {
      // Types run nothing; their names are the generator's own.
      assert.match(statement.name.text, /^[A-Z][A-Za-z0-9]*(Props|Value\d*)$/, shown);
    } else if (ts.isVariableStatement(statement)) {
      assert.ok(statement.declarationList.flags & ts.NodeFlags.Const, shown);
      assert.equal(statement.declarationList.declarations.length, 1, shown);
      const [declaration] = statement.declarationList.declarations;
      const name = (declaration!.name as ts.Identifier).text;
      const call = declaration!.initializer;
      assert.ok(call && ts.isCallExpression(call), shown);
      if (name === 'suite') {
        assert.equal(call.expression.getText(source), 'registerSuite', shown);
        const [options] = call.arguments;
        assert.ok(options && ts.isObjectLiteralExpression(options) && call.arguments.length === 1, shown);
        for (const property of options.properties) {
          assert.ok(ts.isPropertyAssignment(property), shown);
          const value = property.initializer;
          if (property.name.getText(source) === 'childrenProps') {
            assert.ok(ts.isObjectLiteralExpression(value), shown);
            for (const entry of value.properties) {
              assert.ok(
                ts.isPropertyAssignment(entry) && ts.isArrayLiteralExpression(entry.initializer),
                shown,
              );
              assert.ok(entry.initializer.elements.every(isString), shown);
            }
          } else {
            assert.ok(isString(value), shown);
          }
        }
      } else {
        assert.equal(call.expression.getText(source), 'suite.component', shown);
        assert.equal(call.typeArguments?.[0]?.getText(source), `${name}Props`, shown);
        assert.equal(call.arguments.length, 1, shown);
        assert.ok(
          isString(call.arguments[0]!) && (call.arguments[0] as ts.StringLiteral).text === name,
          shown,
        );
      }
    } else {
      assert.fail(`a statement the generator never writes: ${shown}`);
    }
  }
  return source;
}

/** Runs the module (compiled to CommonJS) against a stand-in `dash-ts`: planted code would set globalThis.pwned. */
function runModule(text: string): Record<string, unknown> {
  const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
  const context = vm.createContext({ exports: {} as Record<string, unknown> });
  const dashTs = { registerSuite: () => ({ component: (type: string) => type }) };
  vm.runInContext(`(function (require, exports) {${js}\n})`, context)((id: string) => {
    assert.equal(id, 'dash-ts');
    return dashTs;
  }, context.exports);
  assert.equal(vm.runInContext('typeof pwned', context), 'undefined', 'no planted code ran');
  return context.exports as Record<string, unknown>;
}

/** The property names of `<type>Props`, as the module spells them (quoted ones unquoted). */
function propNames(source: ts.SourceFile, type: string): string[] {
  const alias = source.statements.find(
    (s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === `${type}Props`,
  );
  assert.ok(alias && ts.isTypeLiteralNode(alias.type));
  return alias.type.members.flatMap((member) =>
    ts.isPropertySignature(member) && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))
      ? [member.name.text]
      : ts.isIndexSignatureDeclaration(member)
        ? [`[${member.parameters[0]!.type!.getText(source)}]`]
        : [],
  );
}

/** Strings that end a literal, a comment, a template or a line, each followed by a planted statement. */
const PAYLOADS = [
  "'; globalThis.pwned = 1; '",
  '"; globalThis.pwned = 1; "',
  '`; globalThis.pwned = 1; `',
  '${globalThis.pwned = 1}',
  '${string}`]: string };\nglobalThis.pwned = 1;//',
  '\nglobalThis.pwned = 1;//',
  '\r\nglobalThis.pwned = 1;//',
  '\u2028globalThis.pwned = 1;//',
  '\u2029globalThis.pwned = 1;//',
  '*/ globalThis.pwned = 1; /*',
  '</script><script>globalThis.pwned = 1</script>',
  '\\',
  "\\'; globalThis.pwned = 1; //",
  '__proto__',
  'constructor',
  'data-`${globalThis.pwned = 1}`*',
  'x*y*z',
  '\u001b[2J\u001b[31mred',
];

describe('components add on hostile packages', { timeout: 600_000 }, () => {
  test('escapes from the realm find no process, require, import() or Function of the extractor', () => {
    const marker = path.join(TMP, 'pwned-escape');
    // Each attempt records its outcome into a prop name, so the module shows what happened inside.
    const attempts = `
      const outcomes = [];
      const attempt = (name, f) => { try { outcomes.push(name + ': ' + String(f())); } catch (e) { outcomes.push(name + ': ' + e.name); } };
      const write = (p) => p.getBuiltinModule('fs').writeFileSync(${JSON.stringify(marker)}, 'pwned');
      attempt('this', () => write(this.constructor.constructor('return process')()));
      attempt('global', () => write(globalThis.constructor.constructor('return process')()));
      attempt('PropTypes', () => write(PropTypes.constructor.constructor('return process')()));
      attempt('PropTypes.string', () => write(PropTypes.string.constructor.constructor('return process')()));
      attempt('React', () => write(React.Component.constructor('return process')()));
      attempt('document', () => write(document.constructor.constructor('return process')()));
      attempt('proto', () => write(Object.getPrototypeOf(globalThis).constructor.constructor('return process')()));
      attempt('process', () => write(process));
      attempt('spawn', () => this.constructor.constructor('return process')().getBuiltinModule('child_process').execFileSync('touch', [${JSON.stringify(marker)}]));
      attempt('require', () => require('fs').writeFileSync(${JSON.stringify(marker)}, 'pwned'));
      attempt('module', () => module.require('fs'));
      attempt('binding', () => process.binding('fs'));
      attempt('import', () => { import('node:fs').then((fs) => fs.writeFileSync(${JSON.stringify(marker)}, 'pwned'), () => {}); return 'import() answered'; });
      // Call sites of the frames below the bundle (the extractor's): their receivers and functions.
      attempt('stack', () => {
        Error.prepareStackTrace = (_e, frames) => frames;
        const frames = new Error().stack;
        Error.prepareStackTrace = undefined;
        for (const frame of frames) {
          for (const value of [frame.getThis(), frame.getFunction()]) {
            try { write(value.constructor.constructor('return process')()); return 'reached'; } catch (e) {}
          }
        }
        return 'none of ' + frames.length + ' frames';
      });
    `;
    const { project } = hostilePackage(
      'escape-suite',
      suite(namespaceFor('escape-suite'), attempts, '{ [outcomes.join(" | ")]: PropTypes.string }'),
    );
    // Control: the same escape, in a vm context made the usual way, does reach the process.
    const control = vm.createContext({});
    const reached = vm.runInContext("typeof this.constructor.constructor('return process')().pid", control);
    assert.equal(reached, 'number', 'the escape works against a plain vm context');

    const before = filesUnder(project);
    const result = componentsAdd(project, 'escape-suite', 20);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!existsSync(marker), 'no file written by the package');
    const module = path.join(project, 'components', 'escape-suite.ts');
    assert.deepEqual(filesUnder(project), [...before, module].sort(), 'only the module was written');
    const text = readFileSync(module, 'utf8');
    const source = assertOnlyGeneratorStatements(text);
    const [outcomes] = propNames(source, 'Widget');
    const byAttempt = Object.fromEntries(outcomes!.split(' | ').map((line) => line.split(': ')));
    assert.deepEqual(byAttempt, {
      this: 'ReferenceError',
      global: 'ReferenceError',
      PropTypes: 'ReferenceError',
      'PropTypes.string': 'ReferenceError',
      React: 'ReferenceError',
      document: 'ReferenceError',
      proto: 'ReferenceError',
      process: 'ReferenceError',
      spawn: 'ReferenceError',
      require: 'ReferenceError',
      module: 'ReferenceError',
      binding: 'ReferenceError',
      // import() answers a promise, rejected (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING) after the extractor has gone.
      import: 'import() answered',
      stack: byAttempt.stack?.startsWith('none of ') ? byAttempt.stack : 'none of the frames',
    });
    runModule(text);
  });

  test('a bundle that tries to connect out opens no connection', async () => {
    const connections: string[] = [];
    const server = createServer((socket) => {
      connections.push('connected');
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const connect = `
        const tried = [];
        for (const reach of [
          () => this.constructor.constructor('return process')(),
          () => PropTypes.constructor.constructor('return process')(),
          () => process,
        ]) {
          try { reach().getBuiltinModule('net').connect(${port}, '127.0.0.1'); tried.push('connecting'); } catch (e) { tried.push(e.name); }
        }
        try { import('node:net').then((net) => net.connect(${port}, '127.0.0.1'), () => {}); } catch (e) {}
        try { fetch('http://127.0.0.1:${port}/'); tried.push('fetch'); } catch (e) { tried.push(e.name); }
        try { new WebSocket('ws://127.0.0.1:${port}/'); tried.push('websocket'); } catch (e) { tried.push(e.name); }
      `;
      const { project } = hostilePackage(
        'net-suite',
        suite(namespaceFor('net-suite'), connect, '{ [tried.join(",")]: PropTypes.string }'),
      );
      const result = componentsAdd(project, 'net-suite', 20);
      assert.equal(result.status, 0, result.stderr);
      const text = readFileSync(path.join(project, 'components', 'net-suite.ts'), 'utf8');
      const source = assertOnlyGeneratorStatements(text);
      assert.deepEqual(propNames(source, 'Widget'), [
        'ReferenceError,ReferenceError,ReferenceError,ReferenceError,ReferenceError',
      ]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(connections, []);
    } finally {
      server.close();
    }
  });

  for (const [what, prefix, props] of [
    ['an endless synchronous loop', 'for (;;) {}', undefined],
    [
      'an endless loop in a propTypes getter the extractor reads',
      '',
      '(() => { const p = {}; Object.defineProperty(p, "x", { enumerable: true, get() { for (;;) {} } }); return p; })()',
    ],
    ['Atomics.wait for ever', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);', undefined],
  ] as const) {
    test(`${what}: stopped at the limit, a clear error, no module`, () => {
      const limit = 3;
      const { project } = hostilePackage('loop-suite', suite(namespaceFor('loop-suite'), prefix, props));
      const result = componentsAdd(project, 'loop-suite', limit);
      assert.equal(result.status, 1, result.stderr);
      assert.match(
        result.stderr,
        /^dash-ts: loop-suite@1\.0\.0: reading its component metadata did not finish within 3 s, so the package's code was stopped/,
      );
      assert.ok(!existsSync(path.join(project, 'components')), 'no module');
      // The CLI's own start (tsx) comes on top of the limit.
      assert.ok(result.ms < limit * 1000 + 8000, `ended after ${Math.round(result.ms)} ms`);
    });
  }

  test('the limit is the parent’s: measured in process, extraction ends within it plus start-up', () => {
    // A first extraction in this process prepares the extractor (from sources: bundles it), outside the limit.
    generateSuiteModule(hostilePackage('warm-suite', suite(namespaceFor('warm-suite'), '')).dir);
    const { dir } = hostilePackage('spin-suite', suite(namespaceFor('spin-suite'), 'for (;;) {}'));
    const started = performance.now();
    assert.throws(() => generateSuiteModule(dir, { timeoutMs: 1500 }), /did not finish within 1\.5 s/);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 1500 && elapsed < 1500 + 2000, `ended after ${Math.round(elapsed)} ms`);
  });

  for (const [what, prefix] of [
    [
      'an endless microtask loop',
      'Promise.resolve().then(function again() { return Promise.resolve().then(again); });',
    ],
    ['an endless promise loop', '(async () => { for (;;) await null; })();'],
    ['an endless thenable chain', 'const t = { then(r) { r(t); } }; Promise.resolve(t);'],
  ] as const) {
    test(`${what}: never runs (the extractor exits as soon as it has answered)`, () => {
      const { project } = hostilePackage('async-suite', suite(namespaceFor('async-suite'), prefix));
      const result = componentsAdd(project, 'async-suite', 5);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(result.ms < 5000 + 8000, `ended after ${Math.round(result.ms)} ms`);
      assertOnlyGeneratorStatements(readFileSync(path.join(project, 'components', 'async-suite.ts'), 'utf8'));
    });
  }

  test('an answer past 32 MiB is refused', () => {
    const huge =
      '(() => { const p = {}; for (let i = 0; i < 20000; i++) p["p" + i + "x".repeat(2000)] = PropTypes.string; return p; })()';
    const { project } = hostilePackage('huge-suite', suite(namespaceFor('huge-suite'), '', huge));
    const result = componentsAdd(project, 'huge-suite', 30);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /huge-suite@1\.0\.0: its component metadata is larger than 32 MiB; refused/);
    assert.ok(!existsSync(path.join(project, 'components')));
  });

  test('a bundle or metadata file that links out of the package is not read', () => {
    const outside = path.join(TMP, 'outside.js');
    writeFileSync(outside, suite('link_suite', ''));
    const { project, dir, namespace } = hostilePackage('link-suite', '');
    rmSync(path.join(dir, namespace, `${namespace}.js`));
    symlinkSync(outside, path.join(dir, namespace, `${namespace}.js`));
    const result = componentsAdd(project, 'link-suite', 20);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /link-suite@1\.0\.0: link_suite\.js links out of the package; refused/);
  });

  test('names, props, literals, shapes and the version carrying code end up as quoted strings only', () => {
    const literal = JSON.stringify;
    const props = `{
      ${PAYLOADS.map((p, i) => `[${literal(p)}]: PropTypes.oneOf([${literal(p)}, ${i}])`).join(',\n')},
      'aria-*': PropTypes.string,
      shaped: PropTypes.shape({ ${PAYLOADS.map((p) => `[${literal(p)}]: PropTypes.node`).join(', ')} }),
      exact: PropTypes.exact({ ${PAYLOADS.map((p) => `[${literal(p)}]: PropTypes.string`).join(', ')} }),
      list: PropTypes.arrayOf(PropTypes.oneOf(${literal(PAYLOADS)})),
    }`;
    // Helpers (exports that are not capitalised identifiers) with code in their names are skipped.
    const helpers = PAYLOADS.filter((p) => !/^[A-Za-z0-9]*$/.test(p))
      .map((p) => `window.code_suite[${literal(`W${p}`)}] = { propTypes: {} };`)
      .join('\n');
    const version = "1.0.0'\nglobalThis.pwned = 1;//\u2028*/";
    const { project } = hostilePackage(
      'code-suite',
      `${suite('code_suite', '', props)}${helpers}\nwindow.code_suite.Second = { propTypes: { [${literal(PAYLOADS[4])}]: PropTypes.node } };`,
      { version },
    );
    const result = componentsAdd(project, 'code-suite', 20);
    assert.equal(result.status, 0, result.stderr);
    const text = readFileSync(path.join(project, 'components', 'code-suite.ts'), 'utf8');
    const source = assertOnlyGeneratorStatements(text);
    // Every payload is one prop, spelled exactly as the package spelled it.
    const names = propNames(source, 'Widget');
    for (const payload of PAYLOADS.filter((p) => p !== 'x*y*z' && !p.startsWith('data-'))) {
      assert.ok(names.includes(payload), `prop ${JSON.stringify(payload)} kept as it is`);
    }
    assert.ok(
      names.includes('x*y*z') && names.includes('data-`${globalThis.pwned = 1}`*'),
      'odd wildcards are plain props',
    );
    assert.ok(names.includes('[`aria-${string}`]'), 'a plain wildcard is still a template index signature');
    assert.deepEqual([...new Set(names)].length, names.length);
    const exported = runModule(text);
    assert.deepEqual(Object.keys(exported).sort(), ['Second', 'Widget']);
    // The version is one string literal, exactly the package's.
    const registered = /version: ('(?:[^'\\\n]|\\.)*'),/.exec(text);
    assert.ok(registered, 'the version is a one-line literal');
    assert.equal(vm.runInNewContext(registered[1]!), version);
    assert.ok(!text.includes('\u2028') && !text.includes('\u2029'), 'no raw line separators');
    assert.ok(!text.includes('</script'), 'no closing script tag');
    // Terminal escapes in what the command prints are shown, not sent.
    assert.ok(!result.stdout.includes('\u001b'));
  });

  test('a package name and bundle file name carrying code reach only the header comment and quoted literals', () => {
    const name = 'named-suite';
    const packageName = "named-suite\n*/globalThis.pwned = 1;/*'";
    const main = "lib\n*/ globalThis.pwned = 1; /*'.js";
    const namespace = namespaceFor(packageName);
    const { project } = hostilePackage(name, '', {
      packageName,
      main,
      files: { [main]: suite(namespace, '') },
    });
    const result = componentsAdd(project, name, 20);
    assert.equal(result.status, 0, result.stderr);
    const text = readFileSync(path.join(project, 'components', `${name}.ts`), 'utf8');
    assertOnlyGeneratorStatements(text);
    runModule(text);
    const comments = text.split('\n').filter((line) => line.startsWith('//'));
    assert.equal(comments.length, 2, 'the two header lines, each one line');
    assert.ok(!text.slice(0, text.indexOf('\nimport')).includes('*/'), 'no comment terminator in the header');
    assert.ok(!result.stdout.includes('\n*/'), 'the name is printed escaped');
  });
});
