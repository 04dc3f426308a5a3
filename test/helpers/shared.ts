import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests live in <root>/test). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared beside the repository, or FER_EDGE_SHARED. Holds data, third-party models and media we never commit. */
export const sharedRoot = process.env.FER_EDGE_SHARED ?? join(repoRoot, '..', 'shared');

export function sharedPath(...parts: string[]): string {
  return join(sharedRoot, ...parts);
}

/** For `test(name, { skip: skipUnlessShared('media/x.jpg') }, ...)`: a reason string when the file is absent. */
export function skipUnlessShared(...parts: string[]): string | false {
  const path = sharedPath(...parts);
  return existsSync(path) ? false : `needs ${path}`;
}
