import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { Command } from 'commander';
import { registerDeploy } from '../src/cli/commands/deploy.js';
import { selectModel } from '../src/deploy/model-selection.js';
import { loadTargets } from '../src/deploy/target-profile.js';
import { runCli } from './helpers/cli.js';
import { makeModelsDir, writeConfigs, writeServiceCommand } from './helpers/deploy-fixtures.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { freePort } from './helpers/sshd.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// `fer-edge deploy` as a user runs it: one line on stdout when it worked, one `fer-edge: <reason>` line and a non-zero
// exit when it did not.
const skip = skipUnlessShared(PEER_MODEL);
let work: string;
let root: string;
let common: string[];
let serviceCommand: string;

function ferEdge(...args: string[]) {
  return runCli(['deploy', ...args], { timeoutMs: 30_000 });
}

/** stdout without the OpenCV loader's own `Info:` notices, which it prints when the CLI loads it. */
function output(result: { stdout: string }): string {
  return result.stdout.split(/(?<=\n)/).filter((line) => !/^\x1B\[32m[\d-]+ [\d:]+ Info:/.test(line)).join('');
}

// In process, except for the two end-to-end checks: starting the CLI costs seconds (it loads OpenCV and ONNX Runtime),
// and main.ts turns a thrown error into the one line checked below.
async function deployCommand(...args: string[]): Promise<string> {
  let output = '';
  const program = new Command('fer-edge').exitOverride();
  registerDeploy(program, { write: (text: string) => (output += text) });
  await program.parseAsync(['deploy', ...args], { from: 'user' });
  return output;
}

before(() => {
  work = makeTempDir('fer-edge-deploy-cli-');
  root = join(work, 'robot');
  serviceCommand = writeServiceCommand(work);
  const models = skip ? work : makeModelsDir(join(work, 'models'));
  common = ['--models-dir', models, '--config', writeConfigs(work).good, '--service-command', serviceCommand, '--health-timeout', '5'];
});

after(() => {
  execFileSync(serviceCommand, ['stop', root]);
  removeTempDir(work);
});

test('deploy --dest, then --list: one line each, the current release starred', { skip }, async () => {
  const deployed = ferEdge('--target', 'rpi', '--dest', root, ...common);
  assert.equal(deployed.stderr, '');
  assert.equal(deployed.status, 0);
  const version = readlinkSync(join(root, 'current')).replace('releases/', '');
  assert.equal(output(deployed), `deployed ${version} (rpi-cpu, model/fixture.int8.tflite) to ${root}: healthy\n`);
  assert.equal(await deployCommand('--list', '--dest', root), `* ${version}  (current, healthy)\n`);
});

test('--dry-run shows the bundle and changes nothing', { skip }, async () => {
  const before = readlinkSync(join(root, 'current'));
  const dry = await deployCommand('--target', 'jetson-nano', '--dest', root, '--dry-run', ...common);
  assert.match(dry, /release \S+-jetson-nano for jetson-nano, root \S+/);
  assert.match(dry, /^ {2}[0-9a-f]{16} +\d+ {2}model\/fixture\.fp16\.onnx$/m);
  assert.match(dry, /dry run: nothing copied/);
  assert.equal(readlinkSync(join(root, 'current')), before);
});

test('bad input: one line on stderr and a non-zero exit', () => {
  const unknown = ferEdge('--target', 'beaglebone', '--dest', root);
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stderr, "fer-edge: unknown target 'beaglebone': choose one of jetson, jetson-nano, jetson-orin, rpi, rpi-coral, rpi-cpu, rpi-onnx\n");
});

test('deploy without --host or --dest says where to deploy', async () => {
  await assert.rejects(deployCommand('--list'), {
    name: 'ConfigError',
    message: 'say where to deploy: --host user@robot, or --dest <dir> for a directory on this machine',
  });
});

test('a --host that is really an ssh option is refused before ssh runs', async () => {
  await assert.rejects(deployCommand('--list', '--host', '-oProxyCommand=touch /tmp/pwned'), {
    name: 'ConfigError',
    message: "--host must look like user@robot or robot (got '-oProxyCommand=touch /tmp/pwned')",
  });
  await assert.rejects(deployCommand('--list', '--host', 'robot', '--dest', '/opt/x;reboot'), {
    name: 'ConfigError',
    message: "--dest must be an absolute path of letters, digits and . _ / + @ - (got '/opt/x;reboot')",
  });
});

test('a host that refuses the connection: one clear error', async () => {
  const port = await freePort();
  await assert.rejects(deployCommand('--list', '--host', 'root@127.0.0.1', '--port', String(port)), {
    name: 'DeployError',
    message: `cannot reach root@127.0.0.1 port ${port}: ssh: connect to host 127.0.0.1 port ${port}: Connection refused`,
  });
});

test('with the shipped models/ and targets/, every target picks the file of the family models/index.json names for it', async () => {
  const models = join(repoRoot, 'models');
  const index = JSON.parse(readFileSync(join(models, 'index.json'), 'utf8')) as Record<string, { onnx?: string; tflite?: string }>;
  const familyOf = (role: 'default' | 'edgetpu') => (index[role]?.onnx ?? index[role]?.tflite)!.split('.')[0];
  const expected: Record<string, string> = {
    'jetson-orin': `${familyOf('default')}.int8-qdq.onnx`,
    'jetson-nano': `${familyOf('default')}.fp16.onnx`,
    'rpi-cpu': `${familyOf('default')}.int8.tflite`,
    'rpi-onnx': `${familyOf('default')}.int8-qdq-cpu.onnx`,
    'rpi-coral': `${familyOf('edgetpu')}.int8.tflite`,
  };
  const targets = loadTargets(join(repoRoot, 'targets'));
  assert.deepEqual([...targets.keys()].filter((name) => name.includes('-')).sort(), Object.keys(expected).sort());
  for (const [name, file] of Object.entries(expected)) {
    const selected = await selectModel(models, targets.get(name)!.model, name);
    assert.equal(basename(selected.modelPath), file, name);
  }
});
