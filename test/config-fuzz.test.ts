import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { buildRunConfig } from '../src/cli/commands/run-action.js';
import type { RunOptions } from '../src/cli/commands/run.js';
import { ConfigError } from '../src/core/errors.js';
import { sectionKeysAt } from '../src/sdk/config-keys.js';
import { parsePipelineConfig, pipelineConfigSchema } from '../src/sdk/config.js';
import { VALID_CONFIGS } from './helpers/config-samples.js';
import { repoRoot } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// Random configurations over the whole schema: whatever a user writes, the answer is the configuration or one
// ConfigError line, never a stack trace. Fixed seeds: the same cases every run.
let work: string;
before(() => (work = makeTempDir('fer-edge-config-fuzz-')));
after(() => removeTempDir(work));

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The outcome of validating: accepted, or the ConfigError's message (anything else fails the property). */
function outcome(check: () => unknown): { ok: true } | { ok: false; message: string } {
  try {
    check();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`not a ConfigError: ${(error as Error)?.stack ?? String(error)}`);
    if (/\n|\r/.test(error.message)) throw new Error(`more than one line: ${JSON.stringify(error.message)}`);
    return { ok: false, message: error.message };
  }
}

const parse = (config: unknown) => outcome(() => parsePipelineConfig(config, 'config.yaml', {}));

/** Every mapping in a value: its path (keys) and itself. */
function mappings(value: unknown, path: string[] = []): [string[], Plain][] {
  if (!isPlain(value)) return [];
  return [[path, value], ...Object.entries(value).flatMap(([key, sub]) => mappings(sub, [...path, key]))];
}

/** Sets an own property, even one named __proto__. */
function setKey(target: Plain, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A misspelling of `key`: one character dropped, doubled, swapped with the next or changed. */
const nearMiss = (key: string) =>
  fc.tuple(fc.nat(key.length - 1), fc.constantFrom('drop', 'double', 'swap', 'change'), fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_')).map(([i, how, c]) => {
    if (how === 'drop') return key.slice(0, i) + key.slice(i + 1);
    if (how === 'double') return key.slice(0, i + 1) + key.slice(i);
    if (how === 'swap') return key.slice(0, i) + key.slice(i + 1, i + 2) + key[i] + key.slice(i + 2);
    return key.slice(0, i) + c + key.slice(i + 1);
  });

/** Values a YAML file can hold, nested a little. */
const junk = fc.jsonValue({ maxDepth: 3 });
const realKeys = [...new Set(VALID_CONFIGS.flatMap((config) => mappings(config).flatMap(([, m]) => Object.keys(m))))];
const anyKey = fc.oneof(fc.constantFrom(...realKeys), fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', ''));

interface Mutation {
  base: Plain;
  path: string[];
  kind: 'unknown key' | 'value' | 'delete';
  key: string;
  value: unknown;
}

/** A valid configuration, one of its sections and the mutation to make in it. */
const mutation: fc.Arbitrary<Mutation> = fc
  .constantFrom(...(VALID_CONFIGS as Plain[]))
  .chain((base) => fc.tuple(fc.constant(base), fc.constantFrom(...mappings(base).map(([path]) => path))))
  .chain(([base, path]) => {
    const keys = Object.keys(sectionAt(base, path));
    const known = sectionKeysAt(pipelineConfigSchema, base, path) ?? keys;
    const unknownKey = fc.oneof(fc.string({ maxLength: 10 }), ...known.map(nearMiss)).filter((key) => !known.includes(key));
    return fc.oneof(
      unknownKey.map((key): Mutation => ({ base, path, kind: 'unknown key', key, value: 1 })),
      fc.tuple(fc.constantFrom(...keys), junk).map(([key, value]): Mutation => ({ base, path, kind: 'value', key, value })),
      fc.constantFrom(...keys).map((key): Mutation => ({ base, path, kind: 'delete', key, value: undefined })),
    );
  });

function sectionAt(config: Plain, path: string[]): Plain {
  return path.reduce<Plain>((at, key) => at[key] as Plain, config);
}

/** A copy of the base configuration with the mutation made. */
function apply({ base, path, kind, key, value }: Mutation): Plain {
  const config = structuredClone(base);
  const section = sectionAt(config, path);
  if (kind === 'delete') delete section[key];
  else setKey(section, key, value);
  return config;
}

test('valid configurations with one mutation: an unknown key is named with its section, anything else is one line', () => {
  fc.assert(
    fc.property(mutation, (m) => {
      const result = parse(apply(m));
      if (m.kind === 'unknown key') {
        assert.ok(!result.ok, `accepted an unknown key ${JSON.stringify(m.key)} in ${m.path.join('.')}`);
        const where = m.path.length > 0 ? `${m.path.join('.')}: ` : '';
        assert.match(result.message, new RegExp(`^config\\.yaml: ${escape(where)}unknown key ${escape(JSON.stringify(m.key))}( \\(did you mean "[A-Za-z0-9]+"\\?\\))?$`));
      }
    }),
    { seed: 20_261_122, numRuns: 3000 },
  );
});

test('random values over the real keys, and nothing like a configuration at all', () => {
  const shaped = fc.dictionary(anyKey, fc.oneof(junk, fc.dictionary(anyKey, junk, { maxKeys: 4 })), { maxKeys: 8 });
  fc.assert(fc.property(fc.oneof(shaped, fc.anything()), (config) => void parse(config)), { seed: 7, numRuns: 3000 });
});

test('the unmutated samples stay valid', () => {
  for (const config of VALID_CONFIGS) assert.deepEqual(parse(structuredClone(config)), { ok: true });
});

/** YAML text as a user might write it: a (broken) configuration, or text that is not YAML at all. */
const configText = fc.oneof(
  mutation.map((m) => toYaml(apply(m))),
  fc.constantFrom(...VALID_CONFIGS).map((config) => toYaml(config)),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('source: [1, 2', 'a: b: c', '- 1\n- 2', 'source: !!binary xx', '{"source": 1}', 'mqtt:\n  tls: 5\n', '\t x'),
);

const flags: fc.Arbitrary<Partial<RunOptions>> = fc.record(
  {
    playback: fc.constantFrom('realtime' as const, 'fast' as const),
    loop: fc.boolean(),
    healthFile: fc.constant('/tmp/health.json'),
    broker: fc.constantFrom('mqtt://b:1883', 'http://nope'),
    brokerPort: fc.integer({ min: -1, max: 70_000 }),
    preview: fc.constant({ port: 0 }),
    previewToken: fc.constantFrom(true as const, 'short', 'a-token-long-enough-for-it'),
    mqtt: fc.boolean(),
  },
  { requiredKeys: [] },
);

test("fer-edge run's own path (file, flags, validation) in process: one ConfigError line or a valid configuration", () => {
  const file = join(work, 'fuzz.yaml');
  fc.assert(
    fc.property(configText, flags, (text, options) => {
      writeFileSync(file, text);
      void outcome(() => parsePipelineConfig(buildRunConfig({ mqtt: true, ...options, config: file }), file, {}));
    }),
    { seed: 42, numRuns: 400 },
  );
});

function runFerEdge(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, FER_EDGE_LOG_LEVEL: 'silent' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

test('the real CLI on a few broken files: exit 2 and one `fer-edge:` line each', async () => {
  // YAML's own warnings (unknown directive, unresolved tag) must not add lines either.
  const broken = ['%FOO\n---\nsource: !.x 1\n', ...fc.sample(configText.filter((text) => !parse(safeYaml(text)).ok), { seed: 3, numRuns: 3 })];
  const results = await Promise.all(
    broken.map((text, i) => {
      const file = join(work, `broken-${i}.yaml`);
      writeFileSync(file, text);
      return runFerEdge(['run', '--config', file]).then((result) => ({ text, result }));
    }),
  );
  for (const { text, result } of results) {
    assert.equal(result.status, 2, `${JSON.stringify(text)}: ${result.stderr}`);
    assert.match(result.stderr, /^fer-edge: [^\n]+\n$/, JSON.stringify(text));
  }
});

/** The file's value, or one that fails validation when the text is not YAML (the CLI refuses it too). */
function safeYaml(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return 'not yaml';
  }
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
