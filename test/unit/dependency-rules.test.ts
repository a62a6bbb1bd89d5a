/**
 * The layer rules of .dependency-cruiser.cjs (`npm run deps`, a step of `npm test`): src/ keeps
 * them, and each rule really fails on the import it forbids. The wrong-way imports are written
 * into a throwaway src/ tree and checked with the project's own configuration.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(REPO, '.dependency-cruiser.cjs');
const DEPCRUISE = join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  rule: string;
  from: string;
  /** Empty for a circle, whose modules follow on the next lines. */
  to: string;
}

/** Runs the check as `npm run deps` does; its exit status and the violations it printed. */
function cruise(cwd: string): { status: number | null; violations: Violation[]; output: string } {
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'err'], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(run.stderr, '', 'depcruise wrote to stderr');
  const violations = [...run.stdout.matchAll(/^\s*error ([\w-]+): (\S+) →[ \t]*(\S*)$/gm)].map(
    ([, rule, from, to]) => ({ rule: rule!, from: from!, to: to! }),
  );
  return { status: run.status, violations, output: run.stdout };
}

const fixtures: string[] = [];
after(() => {
  for (const root of fixtures) rmSync(root, { recursive: true, force: true });
});

/** A src/ tree of the given files (path → imported paths), with a tsconfig like the project's. */
function fixture(files: Record<string, string[]>): string {
  const root = mkdtempSync(join(tmpdir(), 'dash-ts-deps-'));
  fixtures.push(root);
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', allowImportingTsExtensions: true, noEmit: true, strict: true },
    }),
  );
  for (const [file, imports] of Object.entries(files)) {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    const lines = imports.map((target, i) => {
      let relative = target.startsWith('src/') ? pathFrom(file, target) : target;
      if (!relative.startsWith('.')) relative = `./${relative}`;
      return `import { value as v${i} } from '${relative}';`;
    });
    writeFileSync(
      path,
      `${lines.join('\n')}\nexport const value = [${imports.map((_, i) => `v${i}`).join(', ')}];\n`,
    );
  }
  return root;
}

function pathFrom(file: string, target: string): string {
  const up = file.split('/').length - 2;
  return `${'../'.repeat(up)}${target.slice('src/'.length)}`;
}

describe('dependency rules', () => {
  it('hold for src/', () => {
    const { status, violations } = cruise(REPO);
    assert.deepEqual(violations, []);
    assert.equal(status, 0);
  });

  it('fail on an import circle', () => {
    const root = fixture({
      'src/app/a.ts': ['src/app/b.ts'],
      'src/app/b.ts': ['src/app/c.ts'],
      'src/app/c.ts': ['src/app/a.ts'],
    });
    const { status, violations, output } = cruise(root);
    assert.notEqual(status, 0);
    assert.deepEqual(violations, [{ rule: 'no-circular', from: 'src/app/a.ts', to: '' }]);
    assert.match(
      output,
      /src\/app\/a\.ts → \n\s+src\/app\/b\.ts →\n\s+src\/app\/c\.ts →\n\s+src\/app\/a\.ts\n/,
    );
  });

  it('fail on each wrong-way import, and let the right-way ones pass', () => {
    const root = fixture({
      // Right way: each floor uses those below it.
      'src/cli/main.ts': ['src/app/dash.ts'],
      'src/app/dash.ts': ['src/background/manager.ts', 'src/callbacks/registry.ts', 'src/components/html.ts'],
      'src/background/manager.ts': ['src/callbacks/spec.ts', 'src/base/log.ts', 'src/app-module/import.ts'],
      'src/callbacks/spec.ts': ['src/components/html.ts'],
      'src/base/log.ts': [],
      'src/callbacks/registry.ts': ['src/components/html.ts', 'src/base/errors.ts'],
      'src/components/html.ts': ['src/base/log.ts'],
      'src/app-module/import.ts': ['src/base/log.ts'],
      'src/base/errors.ts': [],
      // Wrong way, one per rule (into modules that import nothing, so no circle is made).
      'src/base/wrong.ts': ['src/app/leaf.ts'],
      'src/app-module/wrong.ts': ['src/callbacks/leaf.ts'],
      'src/components/wrong.ts': ['src/callbacks/leaf.ts'],
      'src/callbacks/wrong.ts': ['src/background/leaf.ts'],
      'src/background/wrong.ts': ['src/app/leaf.ts'],
      'src/app/wrong.ts': ['src/cli/leaf.ts'],
      'src/app/leaf.ts': [],
      'src/callbacks/leaf.ts': [],
      'src/background/leaf.ts': [],
      'src/cli/leaf.ts': [],
    });
    const { status, violations } = cruise(root);
    assert.notEqual(status, 0);
    const found = violations.map((v) => `${v.rule}: ${v.from} → ${v.to}`).sort();
    assert.deepEqual(found, [
      'app-module-on-base-only: src/app-module/wrong.ts → src/callbacks/leaf.ts',
      'background-below-the-host: src/background/wrong.ts → src/app/leaf.ts',
      'base-imports-nothing-above: src/base/wrong.ts → src/app/leaf.ts',
      'callbacks-below-background: src/callbacks/wrong.ts → src/background/leaf.ts',
      'components-on-the-floor-only: src/components/wrong.ts → src/callbacks/leaf.ts',
      'nothing-imports-cli: src/app/wrong.ts → src/cli/leaf.ts',
    ]);
  });
});
