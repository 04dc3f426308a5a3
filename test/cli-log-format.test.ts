import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { resolveLogFormat } from '../src/cli/log-format.js';
import { runTsSnippet } from './helpers/child-script.js';
import { runCli } from './helpers/cli.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

// A real warning: bundling for the Coral target without the Edge TPU compiler (x86-64 only, rarely installed).
const compilerInstalled = spawnSync('edgetpu_compiler', ['--version']).error === undefined;
const skip = compilerInstalled ? 'edgetpu_compiler is installed here' : false;
const WARNING = 'edgetpu_compiler not found: bundling fer-mnv3s-edgetpu-kd.int8.tflite uncompiled; it will run on the CPU, not the Edge TPU';

function coralDryRun(...flags: string[]) {
  const dest = tempDirForTests('fer-edge-log-format-');
  const result = runCli(['deploy', '--target', 'rpi-coral', '--dry-run', '--dest', dest, ...flags], { logLevel: 'info', timeoutMs: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return result.stderr.split('\n').filter(Boolean);
}

test('--log-format text: the warning is one short line for a person, even when stderr is not a terminal', { skip }, () => {
  assert.deepEqual(coralDryRun('--log-format', 'text'), [`WARN: deploy: ${WARNING}`]);
});

test('--log-format json, and the default when stderr is not a terminal: one pino JSON record a line', { skip }, () => {
  for (const flags of [['--log-format', 'json'], []]) {
    const lines = coralDryRun(...flags);
    assert.equal(lines.length, 1, lines.join('\n'));
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(record.level, 40);
    assert.equal(record.component, 'deploy');
    assert.equal(record.msg, WARNING);
  }
});

test('run: its closing summary is a plain line beside text logs, a JSON record beside JSON ones', { skip: skipUnlessShared(CLIP) }, () => {
  const run = (...flags: string[]) => {
    const result = runCli(['run', '--source', clipPath, '--playback', 'fast', '--max-frames', '10', '--no-mqtt', ...flags], { logLevel: 'info', timeoutMs: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    return result.stderr.split('\n').filter(Boolean);
  };
  const text = run('--log-format', 'text');
  assert.match(text.at(-1)!, /^processed 10 frames, 0 dropped, per-frame latency p50 [\d.]+ ms p95 [\d.]+ ms$/);
  assert.ok(text.some((line) => line.startsWith('INFO: pipeline: pipeline started source=file ')), text.join('\n'));
  const records = run().map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.match(String(records.at(-1)!.msg), /^processed 10 frames/);
  assert.equal(records.at(-1)!.component, 'cli');
});

test('a --log-format that is neither text nor json is a usage error', () => {
  const result = runCli(['--log-format', 'xml', 'inspect', 'x.onnx']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /argument 'xml' is invalid\. Allowed choices are text, json\./);
});

test('without --log-format: text on a terminal, JSON under systemd or when stderr is not a terminal', () => {
  assert.equal(resolveLogFormat(undefined, {}, true), 'text');
  assert.equal(resolveLogFormat(undefined, {}, false), 'json');
  assert.equal(resolveLogFormat(undefined, { INVOCATION_ID: 'a1b2' }, true), 'json');
  assert.equal(resolveLogFormat(undefined, { JOURNAL_STREAM: '8:12345' }, false), 'json');
  assert.equal(resolveLogFormat('text', { INVOCATION_ID: 'a1b2' }, false), 'text');
  assert.equal(resolveLogFormat('json', {}, true), 'json');
});

test('a text line shows the fields its message does not already say, as key=value', () => {
  const result = runTsSnippet(
    `import { consoleLogger } from '{{repo}}/src/core/log.ts';
     const log = consoleLogger('text', 'info');
     log.child({ component: 'pipeline' }).info({ source: 'file clip.mp4', threads: 2, sinks: ['mqtt'] }, 'pipeline started');
     log.child({ component: 'backend.onnxruntime' }).info({ reason: 'no CUDA library', using: 'cpu' }, 'cuda unavailable (no CUDA library); falling back');
     log.debug('below the level');
     log.error('no component');`,
  );
  assert.equal(result.status, 0, result.stderr);
  assert.equal(
    result.stderr,
    'INFO: pipeline: pipeline started source=file clip.mp4 threads=2 sinks=["mqtt"]\n' +
      'INFO: backend.onnxruntime: cuda unavailable (no CUDA library); falling back using=cpu\n' +
      'ERROR: no component\n',
  );
});
