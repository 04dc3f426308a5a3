import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { emotionEventSchema } from '../src/sdk/events/index.js';
import type { EmotionEvent } from '../src/sdk/types.js';
import { runCli, spawnCli, userLines, type CliOptions } from './helpers/cli.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { PEER_MODEL, tempPeerModel, type TempModel } from './helpers/model-fixtures.js';
import { Mosquitto } from './helpers/mosquitto.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';
import { assertValidEvent } from './helpers/schema-files.js';

const skip = skipUnlessShared(CLIP) || skipUnlessShared(PEER_MODEL);
const cliOptions: CliOptions = { logLevel: 'warn', timeoutMs: 60_000 };
let model: TempModel;
let dir: string;

before(() => {
  dir = makeTempDir('fer-edge-cli-run-');
  if (!skip) model = tempPeerModel();
});
after(() => {
  model?.cleanup();
  removeTempDir(dir);
});

test('run publishes the events it prints to a real broker, then retained offline', { skip }, async () => {
  const broker = await Mosquitto.start();
  try {
    const subscriber = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const received: EmotionEvent[] = [];
    let status = '';
    subscriber.on('message', (topic, payload) => {
      if (topic.endsWith('/events')) received.push(JSON.parse(payload.toString()));
      if (topic.endsWith('/status')) status = payload.toString();
    });
    await subscriber.subscribeAsync(['fer-edge/cli-test/events', 'fer-edge/cli-test/status'], { qos: 1 });

    const child = spawnCli(
      ['run', '--source', clipPath, '--playback', 'fast', '--max-frames', '72', '--model', model.modelPath,
        '--broker', broker.url, '--device-id', 'cli-test', '--json'],
      cliOptions,
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    const printed = stdout.trim().split('\n').filter(Boolean).map((line) => emotionEventSchema.parse(JSON.parse(line)));
    assert.ok(printed.length >= 2, `printed ${printed.length} events`);
    const deadline = Date.now() + 5000;
    while ((received.length < printed.length || status !== 'offline') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(received, printed);
    for (const event of received) assertValidEvent(event);
    assert.equal(status, 'offline');
    await subscriber.endAsync();
  } finally {
    await broker.stop();
  }
});

test('SIGTERM stops capture, ends every face, publishes offline and exits 0', { skip }, async () => {
  const child = spawnCli(['run', '--source', clipPath, '--loop', '--model', model.modelPath, '--no-mqtt', '--json'], cliOptions);
  let stdout = '';
  let killed = false;
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (!killed && stdout.includes('"type":"new"')) killed = child.kill('SIGTERM');
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as EmotionEvent);
  const opened = new Set(events.filter((e) => e.type === 'new').map((e) => e.face_id));
  const ended = new Set(events.filter((e) => e.type === 'end').map((e) => e.face_id));
  assert.ok(opened.size > 0);
  assert.deepEqual(ended, opened);
});

test('--help and usage errors load no runtime (OpenCV, ONNX Runtime, TFLite, SSH): commands load their actions on use', () => {
  const heavy = /opencv|onnxruntime|tfjs|tflite|ssh2|protobufjs|onnx-proto/;
  for (const [args, exitCode] of [[['--help'], 0], [['run', '--help'], 0], [['eval', '--bogus'], 2], [['quantize'], 2], [['nope'], 2]] as const) {
    const result = runCli(args, { ...cliOptions, nodeArgs: ['--require', join(repoRoot, 'test/helpers/loaded-modules.cjs')] });
    assert.equal(result.status, exitCode, `${args.join(' ')}: ${result.stderr}`);
    const line = result.stderr.split('\n').find((l) => l.startsWith('loaded-packages: '));
    assert.ok(line, result.stderr);
    const loaded = JSON.parse(line.slice('loaded-packages: '.length)) as string[];
    assert.deepEqual(loaded.filter((name) => heavy.test(name)), [], `${args.join(' ')} loaded ${loaded.join(', ')}`);
  }
  const help = runCli(['run', '--help'], cliOptions);
  assert.match(help.stdout, /--classify-every <n>/);
});

test('a config with a wrong field exits 2 with one line naming the field', () => {
  const config = join(dir, 'bad.yaml');
  writeFileSync(config, 'source:\n  type: opencv\n  file: clip.mp4\ndetector:\n  type: sonar\n');
  const result = runCli(['run', '--config', config], cliOptions);
  assert.equal(result.status, 2);
  const lines = userLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^fer-edge: .*bad\.yaml: detector\.type: /);
});

test('a config that is not YAML, a missing config file and no source are one-line errors with exit 2', () => {
  const config = join(dir, 'broken.yaml');
  writeFileSync(config, 'source: [unclosed\n');
  for (const args of [['run', '--config', config], ['run', '--config', join(dir, 'absent.yaml')], ['run']]) {
    const result = runCli(args, cliOptions);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(userLines(result.stderr).length, 1, result.stderr);
  }
});

test('a camera that does not exist is a one-line error and a non-zero exit', { skip }, () => {
  const config = join(dir, 'camera.yaml');
  writeFileSync(config, `source:\n  type: opencv\n  device: /dev/video9\n  reconnect: { attempts: 2, initialDelayMs: 50 }\nmodel: ${model.modelPath}\nmqtt: false\n`);
  const result = runCli(['run', '--config', config], cliOptions);
  assert.notEqual(result.status, 0);
  const lines = userLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^fer-edge: camera \/dev\/video9 could not be opened/);
});

test('a corrupt model is refused with one line before the camera opens', () => {
  const bad = join(dir, 'corrupt.onnx');
  writeFileSync(bad, 'not a model');
  const result = runCli(['run', '--source', '0', '--model', bad, '--no-mqtt'], cliOptions);
  assert.notEqual(result.status, 0);
  const lines = userLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^fer-edge: .*corrupt\.onnx/);
});

test('a broker that refuses connections does not stop the pipeline: events are still produced', { skip }, () => {
  const result = runCli(['run', '--source', clipPath, '--playback', 'fast', '--max-frames', '48', '--model', model.modelPath,
    '--broker', 'mqtt://127.0.0.1:1', '--json'], cliOptions);
  assert.equal(result.status, 0, result.stderr);
  assert.ok(result.stdout.trim().split('\n').length >= 1);
});
