import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

const DEPCRUISE = join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function cruise(config: string, target: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [DEPCRUISE, target, '--config', config, '--output-type', 'err'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: result.stdout + result.stderr };
}

test('imports only go down the layers (core < sdk < tools < cli) and no modules import each other', () => {
  const { status, output } = cruise('.dependency-cruiser.cjs', 'src');
  assert.equal(status, 0, output);
  assert.match(output, /no dependency violations found/);
});

test('the configuration schema reaches no native module but through a plugin\'s lazy create', () => {
  const { status, output } = cruise('.dependency-cruiser-config.cjs', 'src/sdk/config.ts');
  assert.equal(status, 0, output);
  assert.match(output, /no dependency violations found/);
});

test('validating a configuration that names every source, detector and back end loads no native package', () => {
  const dir = makeTempDir('fer-edge-arch-');
  try {
    const script = join(dir, 'validate.mts');
    writeFileSync(
      script,
      `import { parsePipelineConfig } from ${JSON.stringify(join(repoRoot, 'src/sdk/config.ts'))};
import { SOURCE_PLUGINS } from ${JSON.stringify(join(repoRoot, 'src/sdk/capture/registry.ts'))};
import { DETECTOR_PLUGINS } from ${JSON.stringify(join(repoRoot, 'src/sdk/detectors/registry.ts'))};
import { BACKEND_PLUGINS } from ${JSON.stringify(join(repoRoot, 'src/sdk/backends/registry.ts'))};
const sources = { opencv: { file: 'clip.mp4' }, 'webcam-still': {}, images: { dir: '.' } };
const detectors = { blazeface: {}, yunet: { model: 'y.onnx' }, ultraface: { model: 'u.onnx' }, haar: {}, 'whole-frame': {} };
let checked = 0;
for (const s of SOURCE_PLUGINS) for (const d of DETECTOR_PLUGINS) for (const b of BACKEND_PLUGINS) {
  parsePipelineConfig({ source: { type: s.type, ...sources[s.type] }, detector: { type: d.type, ...detectors[d.type] }, backend: { type: b.type }, mqtt: false });
  checked++;
}
console.log('checked', checked);
`,
    );
    const result = spawnSync(process.execPath, ['--require', join(repoRoot, 'test/helpers/loaded-modules.cjs'), '--import', 'tsx', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /checked 30/);
    const line = result.stderr.split('\n').find((l) => l.startsWith('loaded-packages: '));
    assert.ok(line, result.stderr);
    const loaded = JSON.parse(line.slice('loaded-packages: '.length)) as string[];
    assert.deepEqual(loaded.filter((name) => /opencv|onnxruntime|tflite|tfjs/.test(name)), [], loaded.join(', '));
  } finally {
    removeTempDir(dir);
  }
});
