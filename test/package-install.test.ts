import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { selectModel } from '../src/deploy/model-selection.js';
import { loadTargets } from '../src/deploy/target-profile.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { readmeCodeBlocks } from './helpers/readme.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

// fer-edge as a robot project gets it: `npm pack` here, then the README's install block, verbatim, in a new project
// (the OpenCV binding really compiles: minutes), then the SDK on the demo clip and `deploy` for every target there.

const MAX_TARBALL_BYTES = 20 * 1024 * 1024;
/** What a robot does not need; none of it may be in the package. */
const LEFT_OUT = [/^training\/tests\//, /^models\/teacher\//, /^models\/report\//, /\.quantize-report\.json$/, /\.png$/, /^test\//, /^bench\//, /\.test\.js$/];

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const tarballName = `fer-edge-${version}.tgz`;

/** The README's block that installs the tarball, minus the apt line (scripts/setup.sh installed those packages here). */
function readmeInstallScript(): string {
  const block = readmeCodeBlocks('bash').find((text) => text.includes('npm install ./fer-edge-'));
  assert.ok(block, 'no `npm install ./fer-edge-<version>.tgz` block in README.md');
  assert.match(block, new RegExp(`npm install \\./${tarballName.replaceAll('.', '\\.')}`), `the README installs another version than ${tarballName}`);
  return block
    .split('\n')
    .filter((line) => !line.startsWith('sudo apt-get'))
    .join('\n');
}

/** Runs a bash script, printing a progress line every 30 s (the binding's compile is long and otherwise silent here). */
async function runWithProgress(label: string, script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = Date.now();
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const lastLine = () => output.trimEnd().split('\n').at(-1)?.slice(0, 120) ?? '';
  const timer = setInterval(() => process.stderr.write(`# ${label}: ${Math.round((Date.now() - started) / 1000)} s, ${lastLine()}\n`), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`# ${label}: exit ${code} after ${seconds.toFixed(0)} s\n`);
  assert.equal(code, 0, `${label} failed:\n${output.slice(-4000)}`);
  return seconds;
}

const SDK_SCRIPT = `
import { writeFileSync } from 'node:fs';
import { createPipeline } from 'fer-edge';

const pipeline = await createPipeline({ source: { type: 'opencv', file: process.argv[2], playback: 'fast' }, mqtt: false, statsIntervalSec: 3600 });
const events = [];
pipeline.on('event', (event) => events.push(event));
await pipeline.run();
writeFileSync(process.argv[3], JSON.stringify(events.map(({ schema, type, face_id, emotion }) => ({ schema, type, face_id, emotion }))));
`;

const work = tempDirForTests('fer-edge-package-');
const tarball = join(work, tarballName);
let files: string[];

before(() => {
  // `npm pack` runs the prepack build, so the tarball holds the current dist/.
  execFileSync('npm', ['pack', '--pack-destination', work], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''));
  process.stderr.write(`# ${tarballName}: ${(statSync(tarball).size / 1e6).toFixed(1)} MB, ${files.length} files\n`);
});

test('the package holds what a robot runs, every deploy target finds its model in it, and no tests or reports', async () => {
  const bytes = statSync(tarball).size;
  assert.ok(bytes < MAX_TARBALL_BYTES, `${tarballName} is ${bytes} bytes`);
  for (const pattern of LEFT_OUT) assert.deepEqual(files.filter((file) => pattern.test(file)), [], `the package holds ${pattern}`);
  for (const needed of ['dist/src/sdk/index.js', 'dist/src/cli/main.js', 'models/index.json', 'schemas/event.v1.schema.json', 'native/xnnpack-plugin.c', 'scripts/build-xnnpack-plugin.sh', 'training/train.py']) {
    assert.ok(files.includes(needed), `the package lacks ${needed}`);
  }
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
  const targets = loadTargets(join(unpacked, 'package', 'targets'));
  for (const [name, target] of targets) await selectModel(join(unpacked, 'package', 'models'), target.model, name);
});

test('the tarball installs into a new project as the README says, and the SDK and deploy run from it', { skip: skipUnlessShared(CLIP), timeout: 60 * 60_000 }, async () => {
  const project = join(work, 'robot-app');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'robot-app', version: '1.0.0', private: true, type: 'module' }));
  copyFileSync(tarball, join(project, tarballName));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_foreground_scripts: 'true',
    // This machine reaches the npm registry only; onnxruntime-node's CUDA download (x86-64) would fail here.
    ONNXRUNTIME_NODE_INSTALL: 'skip',
  };
  for (const name of ['OPENCV4NODEJS_DISABLE_AUTOBUILD', 'OPENCV_INCLUDE_DIR', 'OPENCV_LIB_DIR', 'OPENCV_BIN_DIR']) delete env[name];
  const seconds = await runWithProgress('npm install (README)', readmeInstallScript(), project, env);
  process.stderr.write(`# install: ${seconds.toFixed(0)} s\n`);

  writeFileSync(join(project, 'sdk.mjs'), SDK_SCRIPT);
  const eventsFile = join(project, 'events.json');
  const sdk = spawnSync(process.execPath, ['sdk.mjs', clipPath, eventsFile], { cwd: project, encoding: 'utf8', timeout: 300_000, env: { ...process.env, FER_EDGE_LOG_LEVEL: 'silent' } });
  assert.equal(sdk.status, 0, sdk.stderr);
  const events = JSON.parse(readFileSync(eventsFile, 'utf8')) as { schema: string; type: string }[];
  assert.ok(events.some((event) => event.type === 'new'), `no face appeared: ${sdk.stdout}`);
  assert.ok(events.every((event) => event.schema === 'fer-edge/event@1'));

  // Every deploy target finds its model in the package's own models/.
  const ferEdge = join(project, 'node_modules', '.bin', 'fer-edge');
  for (const target of [...loadTargets(join(repoRoot, 'targets')).keys()]) {
    const deploy = spawnSync(ferEdge, ['deploy', '--target', target, '--dry-run', '--json'], { cwd: project, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FER_EDGE_LOG_LEVEL: 'silent' } });
    assert.equal(deploy.status, 0, `deploy --target ${target}: ${deploy.stderr}`);
    const bundle = JSON.parse(deploy.stdout.slice(deploy.stdout.indexOf('{'))) as { model: { file: string } };
    assert.ok(files.includes(bundle.model.file.replace(/^model\//, 'models/')), `${target}: ${bundle.model.file}`);
  }
});
