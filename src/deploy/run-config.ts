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
