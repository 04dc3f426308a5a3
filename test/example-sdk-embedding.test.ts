import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLIP, clipPath } from './helpers/clip.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';

// The example imports 'fer-edge' by its package name, which resolves to the package's own build (dist/), as it would
// in a robot project that installed it.
test('examples/sdk-embedding.ts prints the events and the per-frame faces of the demo clip, then exits', { skip: skipUnlessShared(CLIP) }, () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'examples', 'sdk-embedding.ts'), clipPath], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, FER_EDGE_LOG_LEVEL: 'silent' },
  });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.split('\n');
  assert.ok(lines.some((line) => /^face \d+: new \w+ \(0\.\d\d\)$/.test(line)), result.stdout);
  assert.ok(lines.some((line) => /^face \d+: end \w+ /.test(line)), result.stdout);
  assert.ok(lines.some((line) => /^frame \d+: \d+ \w+/.test(line)), result.stdout);
  assert.ok(lines.some((line) => /^\d+\.\d fps, total p95 \d+\.\d ms$/.test(line)), result.stdout);
});
