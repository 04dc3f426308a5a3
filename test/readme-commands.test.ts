import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { parse as parseShell } from 'shell-quote';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { runCli } from './helpers/cli.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { brokerForTests, type Mosquitto } from './helpers/mosquitto.js';
import { readmeCodeBlocks, readmeCommands } from './helpers/readme.js';
import { repoRoot, sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

// Every command README.md shows (its ```bash lines and its inline `fer-edge ...` spans) runs here, against the shipped
// models/ and targets/, through the mapping below, and must exit 0. A command this machine cannot run is listed in
// NOT_HERE with the reason; any other command the README gains runs through the mapping or fails this test.

/** Commands that cannot run here, and why. */
const NOT_HERE: Record<string, string> = {
  'bash scripts/test.sh': 'the test command itself: it runs this file',
  "fer-edge run --source 'nvarguscamerasrc ! video/x-raw(memory:NVMM),width=1280,height=720 ! nvvidconv ! video/x-raw,format=BGRx ! videoconvert ! video/x-raw,format=BGR ! appsink'":
    "needs a Jetson's CSI camera and NVIDIA's GStreamer elements (nvarguscamerasrc, nvvidconv)",
  'fer-edge convert': 'names the command shown in full above; not a command line',
  'fer-edge run --preview [host:]port': "the option's syntax; `fer-edge run --source 0 --preview 8090` above runs it",
  'npm pack': 'run, with the install below, by test/package-install.test.ts',
  'sudo apt-get install -y g++ make python3 pkg-config libopencv-dev': 'installed here by scripts/setup.sh, which CI runs first',
  'export OPENCV4NODEJS_DISABLE_AUTOBUILD=1 OPENCV_INCLUDE_DIR=/usr/include/opencv4 OPENCV_LIB_DIR=/usr/lib/$(gcc -dumpmachine) OPENCV_BIN_DIR=/usr/bin':
    'run, with the install below, by test/package-install.test.ts',
  'npm install ./fer-edge-0.1.0.tgz': 'run in a new project by test/package-install.test.ts',
};

/** Arguments added per fer-edge command, to keep each run short or off the robot. */
const ADDED: Record<string, (argv: string[]) => string[]> = {
  // A few seconds of the clip, decoded as fast as it goes; the embedded broker on a free port, not 1883.
  run: (argv) => ['--max-frames', '24', '--playback', 'fast', ...(argv.includes('--broker') ? [] : ['--broker-port', '0'])],
  quantize: () => ['--calib-count', '32', '--val-count', '35'],
  eval: () => ['--per-class', '5'],
  bench: () => ['--max-frames', '24', '--runs', '1', '--iterations', '3', '--warmup', '1', '--batch', '1'],
  // No robot here: build the bundle and show what would be installed.
  deploy: () => ['--dry-run'],
  // Training takes hours on FER2013 and export needs a trained checkpoint: check that the command and its options parse.
  train: () => ['--help'],
  export: () => ['--help'],
};

/** Options whose value is a file the command writes: into a temp dir instead of the working tree. */
const OUTPUTS = new Set(['-o', '--output', '--predictions', '--out-dir']);

let broker: Mosquitto;
brokerForTests((started) => (broker = started));
const work = tempDirForTests('fer-edge-readme-');

/** The README's configuration example as robot.yaml, with this machine's camera (the clip), broker and paths. */
function robotYaml(): string {
  const [example] = readmeCodeBlocks('yaml');
  assert.ok(example, 'no ```yaml configuration in README.md');
  const config = parseYaml(example) as Record<string, unknown>;
  config.source = { type: 'opencv', file: clipPath, playback: 'fast' };
  config.mqtt = { url: broker.url };
  config.health = { file: join(work, 'health.json') };
  const path = join(work, 'robot.yaml');
  writeFileSync(path, stringifyYaml(config));
  return path;
}

/** One README value as it runs here. */
function substitute(value: string, option: string | undefined): string {
  if (option && OUTPUTS.has(option)) return join(work, basename(value));
  if (option === '--source' && /^\d+$/.test(value)) return clipPath; // a camera index
  if (value === 'clip.mp4') return clipPath;
  if (option === '--preview') return '0'; // any free port: a fixed one may be taken on the machine running the tests
  if (value === 'mqtt://robot-hub:1883') return broker.url;
  if (value === 'robot.yaml') return robotYaml();
  if (value.startsWith('~/')) return join(work, value.slice(2));
  if (value.startsWith('../shared/')) return sharedPath(value.slice('../shared/'.length));
  return value;
}

function words(command: string): string[] {
  return parseShell(command).filter((word): word is string => typeof word === 'string');
}

/** The command line without its trailing comment, as NOT_HERE names it. */
function key(command: string): string {
  return command.replace(/\s+#\s.*$/, '').trim();
}

function ferEdge(argv: string[]): SpawnSyncReturns<string> {
  const mapped = argv.map((word, i) => substitute(word, argv[i - 1]));
  const added = ADDED[argv[0]!]?.(argv) ?? [];
  if (argv[0] === 'quantize' && !argv.includes('--out-dir')) added.push('--out-dir', work);
  return runCli([...mapped, ...added]);
}

function commandNames(): string[] {
  const help = runCli(['--help']).stdout;
  const commands = help.slice(help.indexOf('Commands:'));
  return [...commands.matchAll(/^ {2}([a-z]+) /gm)].map((match) => match[1]!).filter((name) => name !== 'help');
}

/** Runs one README command here; returns the results to check (each must exit 0). */
function runHere(command: string): SpawnSyncReturns<string>[] {
  const argv = words(key(command));
  if (key(command) === 'fer-edge <command> --help') return commandNames().map((name) => runCli([name, '--help']));
  if (argv[0] === 'fer-edge') return [ferEdge(argv.slice(1))];
  if (argv[0] === 'bash' && argv[1] === 'scripts/demo.sh') {
    return [spawnSync('bash', argv.slice(1), { cwd: repoRoot, encoding: 'utf8', timeout: 900_000 })];
  }
  if (argv[0] === 'sudo' && argv[1] === 'sh' && argv[2]?.startsWith('package/targets/')) {
    // The unpacked tarball's package/ holds this repository's targets/. The script sets up a robot as root (apt,
    // npm -g, a service user): here it parses its arguments and prints its usage.
    return [spawnSync('sh', [argv[2].slice('package/'.length), ...argv.slice(3), '--help'], { cwd: repoRoot, encoding: 'utf8' })];
  }
  assert.fail(`no way to run this README command here: add it to the mapping or to NOT_HERE with the reason\n  ${command}`);
}

const commands = readmeCommands();

test('every command NOT_HERE names is still in the README', () => {
  const shown = new Set(commands.map(key));
  assert.deepEqual(Object.keys(NOT_HERE).filter((command) => !shown.has(command)), []);
});

for (const command of commands) {
  const reason = NOT_HERE[key(command)];
  const needsShared = command.includes('../shared/') || /--source (0|clip\.mp4)\b|robot\.yaml|demo\.sh/.test(command);
  test(`README: ${key(command)}`, { skip: reason ?? (needsShared && skipUnlessShared(CLIP)) }, () => {
    for (const result of runHere(command)) {
      assert.equal(result.status, 0, `exit ${result.status ?? result.signal}\n${result.stderr.slice(-3000)}`);
    }
  });
}
