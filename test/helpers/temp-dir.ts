import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A new, empty directory under the system's temp dir, named `<prefix>` plus random characters. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a directory and all it holds; a directory already gone is not an error. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A temp dir made now and removed after the tests of the file, or of the `describe` suite, that calls this (node:test
 * attaches the `after` hook to whichever of them is being defined); pass a test's context `t` to remove it after that
 * test alone.
 */
export function tempDirForTests(prefix: string, hooks: { after(fn: () => void): void } = { after }): string {
  const dir = makeTempDir(prefix);
  hooks.after(() => removeTempDir(dir));
  return dir;
}
