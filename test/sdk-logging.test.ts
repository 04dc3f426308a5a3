import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runTsSnippet } from './helpers/child-script.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';

// An application embedding the SDK, in a child process of its own so that its stderr can be read: the pipeline on the
// demo clip with the shipped model and detector.
const skip = skipUnlessShared(CLIP);
const config = JSON.stringify({ source: { type: 'opencv', file: clipPath, playback: 'fast' }, mqtt: false, statsIntervalSec: 3600 });

function runApp(setup: string, pipelineOptions: string, extraConfig: object = {}): ReturnType<typeof runTsSnippet> {
  const result = runTsSnippet(
    `import { createPipeline } from '{{repo}}/src/sdk/index.ts';
     ${setup}
     const pipeline = await createPipeline({ ...${config}, ...${JSON.stringify(extraConfig)} }, ${pipelineOptions});
     await pipeline.run();
     console.log('frames: ' + pipeline.stats.frames);`,
    // No FER_EDGE_LOG_LEVEL: an application's environment.
    { FER_EDGE_LOG_LEVEL: undefined },
    60_000,
  );
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^frames: 24$/m, 'the pipeline ran');
  return result;
}

test('the SDK writes nothing to its application\'s stderr unless given a logger', { skip }, () => {
  const result = runApp('', '{ maxFrames: 24 }');
  assert.equal(result.stderr, '');
});

/** The SDK's records that reached the application's pino logger (collected in the child, printed at its exit). */
function appLoggerRecords(extraConfig: object = {}): Array<Record<string, unknown>> {
  const result = runApp(
    `import { pino } from '{{repo}}/node_modules/pino/pino.js';
     const records: Array<Record<string, unknown>> = [];
     const logger = pino({ level: 'info' }, { write: (line: string) => records.push(JSON.parse(line)) });
     process.on('exit', () => console.log('records: ' + JSON.stringify(records)));`,
    '{ maxFrames: 24, logger }',
    extraConfig,
  );
  assert.equal(result.stderr, '');
  const line = result.stdout.split('\n').find((l) => l.startsWith('records: '));
  assert.ok(line, result.stdout);
  return JSON.parse(line.slice('records: '.length)) as Array<Record<string, unknown>>;
}

test('given the application\'s pino logger, the SDK\'s records go to it, each with its component', { skip }, () => {
  const records = appLoggerRecords();
  const started = records.find((r) => r.msg === 'pipeline started');
  assert.ok(started, JSON.stringify(records));
  assert.equal(started.component, 'pipeline');
  assert.equal(started.level, 30);
  assert.match(String(started.source), /tears_of_steel/);
});

test('records from the detector\'s model thread reach the application\'s logger too', { skip }, () => {
  // The classifier on TFLite: ONNX Runtime's provider fallback can only come from the detector's thread.
  const records = appLoggerRecords({ model: join(repoRoot, 'models', 'fer-mnv3s-kd.int8.tflite'), detectorThread: 'worker' });
  assert.ok(records.some((r) => r.msg === 'pipeline started' && r.detectorThread === 'worker'), JSON.stringify(records));
  const fromThread = records.filter((r) => r.component === 'backend.onnxruntime');
  assert.ok(fromThread.length > 0, JSON.stringify(records));
  for (const record of fromThread) assert.match(String(record.msg), /^execution provider \w+ unavailable/);
});
