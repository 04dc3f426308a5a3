import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { openBundle } from '../src/deploy/bundle.js';
import { selectModel } from '../src/deploy/model-selection.js';
import { prepareBundle, type BundleRequest } from '../src/deploy/prepare-bundle.js';
import { loadTargets } from '../src/deploy/target-profile.js';
import { ConfigError, ModelError } from '../src/core/errors.js';
import { makeModelsDir, writeConfigs } from './helpers/deploy-fixtures.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

const skip = skipUnlessShared(PEER_MODEL);
const root = '/opt/fer-edge';
const systemdAnalyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((path) => existsSync(path));
let work: string;
let modelsDir: string;
let configs: { good: string; bad: string };

before(() => {
  work = makeTempDir('fer-edge-deploy-bundle-');
  if (!skip) modelsDir = makeModelsDir(join(work, 'models'));
  configs = writeConfigs(work);
});
after(() => removeTempDir(work));

function request(extra: Partial<BundleRequest>): BundleRequest {
  return { root, targetsDir: join(repoRoot, 'targets'), ferEdgeVersion: '0.0.0-test', modelsDir, configPath: configs.good, ...extra };
}

const expected = [
  { target: 'jetson', name: 'jetson-orin', model: 'fixture.int8-qdq.onnx', backend: 'onnxruntime' },
  { target: 'jetson-nano', name: 'jetson-nano', model: 'fixture.fp16.onnx', backend: 'onnxruntime' },
  { target: 'rpi', name: 'rpi-cpu', model: 'fixture.int8.tflite', backend: 'tflite' },
  { target: 'rpi-coral', name: 'rpi-coral', model: 'fixture-edgetpu.int8.tflite', backend: 'tflite' },
  // Beside the TensorRT-flavour QDQ model that jetson-orin takes: the CPU flavour, for ONNX Runtime on the Pi's CPU.
  { target: 'rpi-onnx', name: 'rpi-onnx', model: 'fixture.int8-qdq-cpu.onnx', backend: 'onnxruntime' },
];

for (const { target, name, model, backend } of expected) {
  test(`bundle for ${target}: its model, manifest, resolved config, unit, installer and checksums`, { skip }, async () => {
    const out = join(work, `${name}.tar.gz`);
    const prepared = await prepareBundle(request({ target, outPath: out }));
    prepared.dispose();
    const opened = await openBundle(out);
    try {
      const { info } = opened;
      assert.equal(info.target, name);
      assert.equal(info.root, root);
      assert.equal(info.model.file, `model/${model}`);
      assert.deepEqual(info.files.map((f) => f.path).sort(), [
        'VERSION',
        'config.yaml',
        'fer-edge.service',
        'install-release.sh',
        `model/${model.replace(/\.[^.]+$/, '.json')}`,
        `model/${model}`,
      ]);
      // The sums the robot checks before switching hold for every file, bundle.json included.
      const sums = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: opened.dir, encoding: 'utf8' });
      assert.equal(sums.trim().split('\n').length, 7);
      assert.equal(readFileSync(join(opened.dir, 'VERSION'), 'utf8').trim(), info.version);

      const config = parseYaml(readFileSync(join(opened.dir, 'config.yaml'), 'utf8')) as Record<string, any>;
      assert.equal(config.model, `${root}/releases/${info.version}/model/${model}`);
      assert.equal(config.health.file, `${root}/state/health.json`);
      assert.ok(config.health.watchdogSec > 0, 'the profile turns the watchdog on');
      assert.equal(config.backend.type, backend);
      assert.equal(config.source.file, parseYaml(readFileSync(configs.good, 'utf8')).source.file);
      assert.equal(config.source.gstreamer, undefined, 'a source with its own type replaces the profile one whole');

      const unit = readFileSync(join(opened.dir, 'fer-edge.service'), 'utf8');
      // Restarted however often it stops (no camera at boot, a watchdog kill), never given up on.
      assert.match(unit, /^Restart=always$/m);
      assert.match(unit, /^StartLimitIntervalSec=0$/m);
      assert.match(unit, /^User=fer-edge$/m);
      assert.match(unit, /^MemoryMax=/m);
      assert.match(unit, new RegExp(`^ExecStart=/usr/bin/env fer-edge run --config ${root}/current/config.yaml$`, 'm'));
      assert.doesNotMatch(unit, /@ROOT@/);
      if (systemdAnalyze) {
        // systemd's own parser: unknown keys and bad values are reported on stderr.
        const check = spawnSync(systemdAnalyze, ['verify', join(opened.dir, 'fer-edge.service')], { encoding: 'utf8' });
        assert.equal(check.stderr.trim(), '');
      }
    } finally {
      removeTempDir(opened.dir);
    }
  });
}

test('jetson-orin: TensorRT int8 with an engine cache under the deploy root; a user key tunes the default back end', { skip }, async () => {
  const userConfig = join(work, 'threads.yaml');
  writeFileSync(userConfig, readFileSync(configs.good, 'utf8') + 'backend:\n  intraOpThreads: 2\n');
  const out = join(work, 'orin-threads.tar.gz');
  (await prepareBundle(request({ target: 'jetson-orin', configPath: userConfig, outPath: out }))).dispose();
  const opened = await openBundle(out);
  try {
    const config = parseYaml(readFileSync(join(opened.dir, 'config.yaml'), 'utf8')) as Record<string, any>;
    assert.deepEqual(config.backend.executionProviders, ['tensorrt', 'cuda', 'cpu']);
    assert.equal(config.backend.intraOpThreads, 2);
    assert.deepEqual(config.backend.tensorrt, { engineCachePath: `${root}/state/tensorrt-cache`, int8: true, fp16: true });
  } finally {
    removeTempDir(opened.dir);
  }
});

test('every target name resolves to a variant with a unit file', () => {
  const targets = loadTargets(join(repoRoot, 'targets'));
  assert.deepEqual([...targets.keys()].sort(), ['jetson', 'jetson-nano', 'jetson-orin', 'rpi', 'rpi-coral', 'rpi-cpu', 'rpi-onnx']);
  assert.equal(targets.get('jetson')!.name, 'jetson-orin');
  assert.equal(targets.get('rpi')!.name, 'rpi-cpu');
});

test('an unknown target is refused with the list of targets', async () => {
  await assert.rejects(prepareBundle(request({ target: 'beaglebone' })), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, "unknown target 'beaglebone': choose one of jetson, jetson-nano, jetson-orin, rpi, rpi-coral, rpi-cpu, rpi-onnx");
    return true;
  });
});

test('a target without its model in the models directory is refused', { skip }, async () => {
  const empty = mkdtempSync(join(work, 'empty-'));
  await assert.rejects(prepareBundle(request({ target: 'jetson-nano', modelsDir: empty })), (error: Error) => {
    assert.ok(error instanceof ModelError);
    assert.equal(error.message, `no fp16 onnx model for target jetson-nano in ${empty}`);
    return true;
  });
});

test('a model that does not match its manifest checksum is refused', { skip }, async () => {
  const dir = makeModelsDir(join(work, 'tampered'));
  copyFileSync(join(dir, 'fixture.int8.tflite'), join(dir, 'fixture.int8-qdq.onnx'));
  await assert.rejects(prepareBundle(request({ target: 'jetson', modelsDir: dir })), /fixture\.int8-qdq\.onnx: sha256 [0-9a-f]{64} does not match its manifest/);
});

test('--model of the wrong precision or QDQ flavour for the target is refused', { skip }, async () => {
  await assert.rejects(
    prepareBundle(request({ target: 'jetson-orin', modelPath: join(modelsDir, 'fixture.fp16.onnx') })),
    /fixture\.fp16\.onnx is a fp16 onnx model; target jetson-orin needs int8 onnx/,
  );
  await assert.rejects(
    prepareBundle(request({ target: 'jetson-orin', modelPath: join(modelsDir, 'fixture.int8-qdq-cpu.onnx') })),
    /fixture\.int8-qdq-cpu\.onnx is a int8 onnx \(cpu QDQ\) model; target jetson-orin needs int8 onnx \(tensorrt QDQ\)/,
  );
});

test('a prebuilt bundle for another deploy root is refused', { skip }, async () => {
  const out = join(work, 'other-root.tar.gz');
  (await prepareBundle(request({ target: 'rpi', outPath: out }))).dispose();
  await assert.rejects(prepareBundle(request({ root: '/srv/robot', bundlePath: out })), /was built for deploy root \/opt\/fer-edge; deploy it with --dest \/opt\/fer-edge/);
  await assert.rejects(prepareBundle(request({ target: 'jetson', bundlePath: out })), /is a bundle for rpi-cpu, not jetson/);
});

test('a run configuration that fer-edge run would refuse is refused before anything is built', { skip }, async (t) => {
  try {
    await import('../src/sdk/config.js');
  } catch (error) {
    t.skip(`run's config schema does not load here: ${(error as Error).message.split('\n')[0]}`);
    return;
  }
  const invalid = join(work, 'invalid.yaml');
  writeFileSync(invalid, readFileSync(configs.good, 'utf8') + 'detectEvery: 0\n');
  await assert.rejects(prepareBundle(request({ target: 'rpi', configPath: invalid })), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /^run configuration for rpi-cpu: detectEvery: /);
    return true;
  });
});

test('several models fit: the family models/index.json names for the target wins, else the user must choose', { skip }, async () => {
  const dir = makeModelsDir(join(work, 'two-families'));
  copyFileSync(join(dir, 'fixture.int8-qdq.onnx'), join(dir, 'other.int8-qdq.onnx'));
  const manifest = readFileSync(join(dir, 'fixture.int8-qdq.json'), 'utf8');
  writeFileSync(join(dir, 'other.int8-qdq.json'), manifest.replace('"name": "fixture"', '"name": "other"'));
  const choice = { format: 'onnx', precision: 'int8', edgetpu_compile: false, family: 'default' } as const;
  await assert.rejects(selectModel(dir, choice, 'jetson-orin'), /several models fit target jetson-orin .*: choose one with --model/);
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ default: { onnx: 'other.int8-qdq.onnx' } }));
  assert.equal(basename((await selectModel(dir, choice, 'jetson-orin')).modelPath), 'other.int8-qdq.onnx');
  // A target whose profile asks for the Edge TPU's family (the Coral) takes the model the index names for it; the others
  // keep the default's family.
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ default: { onnx: 'other.int8-qdq.onnx' }, edgetpu: { tflite: 'fixture.int8.tflite' } }));
  assert.equal(basename((await selectModel(dir, { ...choice, family: 'edgetpu' }, 'rpi-coral')).modelPath), 'fixture.int8-qdq.onnx');
  assert.equal(basename((await selectModel(dir, choice, 'jetson-orin')).modelPath), 'other.int8-qdq.onnx');
});
