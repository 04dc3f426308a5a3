import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError } from '../src/core/errors.js';
import { configSections } from '../src/sdk/config-keys.js';
import { parsePipelineConfig, pipelineConfigSchema } from '../src/sdk/config.js';
import { createPipeline } from '../src/sdk/pipeline.js';
import { runCli } from './helpers/cli.js';
import { VALID_CONFIGS } from './helpers/config-samples.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// Every section of the run configuration refuses keys it does not know, with one line saying which and where:
// a misspelt setting (`mqtt: { utl: ... }`) would otherwise be ignored and the robot run on a default.
let work: string;
before(() => (work = makeTempDir('fer-edge-config-strict-')));
after(() => removeTempDir(work));

const parse = (config: unknown) => parsePipelineConfig(config, 'config.yaml', {});

function messageOf(config: unknown): string {
  try {
    parse(config);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
    return error.message;
  }
  assert.fail(`accepted: ${JSON.stringify(config)}`);
}

/** Every mapping inside a value, with its dotted path ('' for the value itself). */
function mappings(value: unknown, path = ''): [string, Record<string, unknown>][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const own: [string, Record<string, unknown>] = [path, value as Record<string, unknown>];
  return [own, ...Object.entries(value).flatMap(([key, sub]) => mappings(sub, path ? `${path}.${key}` : key))];
}

test('every section of the schema refuses unknown keys (sources, detectors and back ends of every kind included)', () => {
  const sections = configSections(pipelineConfigSchema);
  assert.ok(sections.length > 30, `only ${sections.length} sections found: the schema walk missed some`);
  for (const path of ['(top level)', 'mqtt', 'mqtt.tls', 'mqtt.embedded', 'mqtt.reconnect', 'mqtt.homeAssistant', 'source(opencv).reconnect', 'detector(blazeface).backend(onnxruntime).tensorrt', 'tracker.hysteresis', 'preview', 'health', 'crop']) {
    assert.ok(sections.some((s) => s.path === path), `no section ${path}`);
  }
  assert.deepEqual(sections.filter((s) => !s.strict).map((s) => s.path), []);
});

test('the sample configurations are valid', () => {
  for (const config of VALID_CONFIGS) assert.doesNotThrow(() => parse(config), JSON.stringify(config));
});

test('an unknown key anywhere is one line naming the key and the section it is in', () => {
  let checked = 0;
  for (const config of VALID_CONFIGS) {
    for (const [path] of mappings(config)) {
      const mutated = structuredClone(config) as Record<string, unknown>;
      const section = path ? path.split('.').reduce<Record<string, unknown>>((at, key) => at[key] as Record<string, unknown>, mutated) : mutated;
      section.qqq = 1;
      assert.equal(messageOf(mutated), `config.yaml: ${path ? `${path}: ` : ''}unknown key "qqq"`);
      checked++;
    }
  }
  assert.ok(checked > 30, `${checked} sections checked`);
});

test('near misses get a suggestion; several unknown keys are all named', () => {
  const source = VALID_CONFIGS[0]!.source;
  assert.equal(messageOf({ source, mqtt: { utl: 'mqtt://b' } }), 'config.yaml: mqtt: unknown key "utl" (did you mean "url"?)');
  assert.equal(messageOf({ source, mqtt: { url: 'mqtts://b', tls: { CA: '/ca.pem' } } }), 'config.yaml: mqtt.tls: unknown key "CA" (did you mean "ca"?)');
  assert.equal(messageOf({ source, mqtt: { embedded: { hots: '0.0.0.0' } } }), 'config.yaml: mqtt.embedded: unknown key "hots" (did you mean "host"?)');
  assert.equal(messageOf({ source, detectr: { type: 'haar' } }), 'config.yaml: unknown key "detectr" (did you mean "detector"?)');
  assert.equal(messageOf({ source: { type: 'opencv', fiel: '/a.mp4' } }), 'config.yaml: source: unknown key "fiel" (did you mean "file"?)');
  assert.equal(messageOf({ source, health: { intervalSec: 1, fiel: 'x', zzz: 2 } }), 'config.yaml: health: unknown keys "fiel", "zzz"');
  assert.equal(messageOf({ source, mqtt: { 'a\nb': 1 } }), 'config.yaml: mqtt: unknown key "a\\nb"');
});

test('a wrong value inside the mqtt section names the field, not "invalid input"', () => {
  const source = VALID_CONFIGS[0]!.source;
  assert.equal(messageOf({ source, mqtt: { keepaliveSec: 'x' } }), 'config.yaml: mqtt.keepaliveSec: Invalid input: expected number, received string');
  assert.equal(messageOf({ source, mqtt: 'on' }), 'config.yaml: mqtt: must be false or a mapping');
  assert.equal(messageOf({ source, detector: { type: 'yunet' } }), 'config.yaml: detector.model: required (a string)');
});

test('the SDK: createPipeline throws the same one-line ConfigError before loading anything', async () => {
  await assert.rejects(createPipeline({ ...VALID_CONFIGS[0]!, mqtt: { utl: 'mqtt://b' } } as never), {
    name: 'ConfigError',
    message: 'config: mqtt: unknown key "utl" (did you mean "url"?)',
  });
});

test('fer-edge run --config: exit 2 and one line naming the file, the section and the key', () => {
  const file = join(work, 'config.yaml');
  writeFileSync(file, 'source:\n  type: opencv\n  file: /media/clip.mp4\nmqtt:\n  utl: mqtt://broker\n');
  const result = runCli(['run', '--config', file], { timeoutMs: 60_000 });
  assert.equal(result.status, 2);
  assert.equal(result.stderr, `fer-edge: ${file}: mqtt: unknown key "utl" (did you mean "url"?)\n`);
});
