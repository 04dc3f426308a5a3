import { ConfigError } from '../core/errors.js';
import { parsePipelineConfig } from '../sdk/config.js';

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `override` wins key by key: nested objects merge, arrays and scalars replace, and an override section that names a
 * `type` (a source, a back end) replaces the default section whole, so that a file source does not inherit the
 * camera's GStreamer pipeline. `backend: { intraOpThreads: 2 }` without a type only tunes the default back end.
 */
export function mergeConfig(base: Plain, override: Plain): Plain {
  const merged: Plain = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlain(current) && isPlain(value) && value.type === undefined ? mergeConfig(current, value) : value;
  }
  return merged;
}

function substitute(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\$\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
  if (Array.isArray(value)) return value.map((item) => substitute(item, vars));
  if (isPlain(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  return value;
}

/**
 * Checks the configuration with `fer-edge run`'s own schema (which loads no native module) before anything ships, as
 * written: the robot's FER_EDGE_MQTT_* variables are not this machine's.
 */
export function validateRunConfig(config: Plain, origin: string): void {
  parsePipelineConfig(config, origin, {});
}

/** The settings of a run configuration that are secrets, by path, with where they belong on a robot instead. */
function secretsIn(config: Plain): { path: string; instead: string }[] {
  const found: { path: string; instead: string }[] = [];
  const mqtt = isPlain(config.mqtt) ? config.mqtt : {};
  if (typeof mqtt.password === 'string' && mqtt.password !== '') found.push({ path: 'mqtt.password', instead: 'FER_EDGE_MQTT_PASSWORD' });
  if (typeof mqtt.url === 'string' && URL.canParse(mqtt.url) && new URL(mqtt.url).password) {
    found.push({ path: 'mqtt.url (its password)', instead: 'FER_EDGE_MQTT_URL' });
  }
  const preview = isPlain(config.preview) ? config.preview : {};
  if (typeof preview.token === 'string') found.push({ path: 'preview.token', instead: 'token: true (one is generated at each start)' });
  return found;
}

/**
 * Refuses a run configuration that would carry a secret into the bundle (bundles are plain files, copied, kept and
 * listed): secrets reach a robot through its root-only environment file (`deploy --env-file`).
 */
export function refuseSecrets(config: Plain, origin: string): void {
  const [secret] = secretsIn(config);
  if (!secret) return;
  const where = secret.instead.startsWith('FER_EDGE_')
    ? `set ${secret.instead} in an environment file and deploy it with --env-file <file> (installed root-only, never bundled)`
    : `use ${secret.instead}`;
  throw new ConfigError(`${origin}: ${secret.path} is a secret and would be copied into the bundle: remove it and ${where}`);
}

export interface RunConfigPlacement {
  /** Deploy root on the robot. */
  root: string;
  /** Absolute path of the model inside the release directory on the robot. */
  modelPath: string;
  /** The health file the release installer waits for. */
  healthFile: string;
}

/**
 * The `fer-edge run` configuration a bundle carries: profile defaults < user config, `${root}` expanded, and the
 * two keys deploy owns (the model it bundled, the health file it waits for) set last so nothing can point elsewhere.
 */
export function resolveRunConfig(profileDefaults: Plain, userConfig: Plain, placement: RunConfigPlacement): Plain {
  const merged = substitute(mergeConfig(profileDefaults, userConfig), { root: placement.root }) as Plain;
  return mergeConfig(merged, { model: placement.modelPath, health: { file: placement.healthFile } });
}
