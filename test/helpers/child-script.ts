import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './shared.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/**
 * Runs a TypeScript snippet in a fresh Node process (with tsx), for behaviour that must be seen from outside: native
 * crashes show as a signal instead of killing the test runner, and logs arrive on stderr. `{{repo}}` in the code is
 * replaced by the repository root, for imports.
 */
export function runTsSnippet(code: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): SpawnSyncReturns<string> {
  const dir = makeTempDir('fer-edge-snippet-');
  try {
    const script = join(dir, 'snippet.mts');
    writeFileSync(script, code.replaceAll('{{repo}}', repoRoot));
    return spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: timeoutMs,
      env: { ...process.env, ...env },
    });
  } finally {
    removeTempDir(dir);
  }
}
