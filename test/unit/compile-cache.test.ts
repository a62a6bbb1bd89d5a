/**
 * Where processes that import the app keep Node's compile cache (src/app-module/compile-cache.ts):
 * a private folder of this user's, and never one that someone else could have written code into.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { privateCacheDirectory } from '../../src/app-module/compile-cache.ts';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'dash-ts-compile-cache-test-'));
  roots.push(root);
  return root;
}

const name = `dash-ts-compile-cache${process.getuid ? `-${process.getuid()}` : ''}`;

describe('compile cache folder', () => {
  it('is created private to this user', () => {
    const root = freshRoot();
    const directory = privateCacheDirectory(root);
    assert.equal(directory, join(root, name));
    assert.ok(statSync(directory!).isDirectory());
    if (process.platform !== 'win32') assert.equal(statSync(directory!).mode & 0o777, 0o700);
  });

  it('is used again when it is already there and private', () => {
    const root = freshRoot();
    const first = privateCacheDirectory(root);
    assert.equal(privateCacheDirectory(root), first);
  });

  it('is refused when others may write to it', () => {
    const root = freshRoot();
    const directory = join(root, name);
    mkdirSync(directory);
    chmodSync(directory, 0o777);
    assert.equal(privateCacheDirectory(root), null);
    chmodSync(directory, 0o770);
    assert.equal(privateCacheDirectory(root), null);
  });

  it('is refused when the name is taken by something that is not a folder', () => {
    const root = freshRoot();
    writeFileSync(join(root, name), 'not a folder');
    assert.equal(privateCacheDirectory(root), null);
  });
});
