import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';

const BROKER_PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];

const mqttFields = z.object({
  /** mqtt://, mqtts://, ws:// or wss://. Absent: an embedded broker is started on `embedded.host:embedded.port`. */
  url: z
    .string()
    .refine((value) => URL.canParse(value) && BROKER_PROTOCOLS.includes(new URL(value).protocol), {
      message: `must be a URL starting with ${BROKER_PROTOCOLS.map((p) => `${p}//`).join(', ')}`,
    })
    .optional(),
  /** Default: fer-edge-<device id>. */
  clientId: z.string().min(1).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** File paths (PEM). */
  tls: z
    .object({
      ca: z.string().optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
      rejectUnauthorized: z.boolean().default(true),
    })
    .strict()
    .optional(),
  /**
   * 5 = MQTT 5, falling back to 3.1.1 when the broker refuses the version (under MQTT 5 a publish the broker refuses,
   * e.g. by its ACL, is seen and counted); 4 = MQTT 3.1.1 only. The embedded broker speaks 3.1.1.
   */
  protocolVersion: z.union([z.literal(4), z.literal(5)]).default(5),
  keepaliveSec: z.number().int().min(0).max(65535).default(30),
  /** Topics are `<topicPrefix>/<device id>/status|events|faces/<id>|stats`. */
  topicPrefix: z
    .string()
    .min(1)
    .refine((value) => !/[#+]/.test(value) && !value.endsWith('/'), { message: 'must not contain # or + or end with /' })
    .default('fer-edge'),
  outbox: z
    .object({
      /**
       * Where accepted events wait, on disk, until the broker acknowledges them, so that a restart loses none.
       * Default: `$XDG_STATE_HOME/fer-edge/mqtt-outbox/<device id>` (`~/.local/state/...`). `false`: memory only.
       */
      dir: z.union([z.string().min(1), z.literal(false)]).optional(),
      /** Events not yet acknowledged by the broker (queued or in flight); beyond this the oldest waiting are dropped. */
      maxEvents: z.number().int().min(1).default(10_000),
    })
    .strict()
    .prefault({}),
  /** QoS 1 events handed to the MQTT client at once, awaiting PUBACK. */
  maxInflight: z.number().int().min(1).max(1000).default(32),
  reconnect: z
    .object({
      minDelayMs: z.number().int().min(10).default(1000),
      maxDelayMs: z.number().int().min(10).default(30_000),
    })
    .strict()
    .refine((r) => r.maxDelayMs >= r.minDelayMs, { message: 'maxDelayMs must be >= minDelayMs' })
    .prefault({}),
  /** Per-frame face states (publishFaceState) refresh the retained `faces/<id>` at most this often; events at once. */
  faceStateIntervalMs: z.number().int().min(0).default(1000),
  /**
   * While connected, how long close() waits for queued events to be acknowledged before it publishes `offline` and
   * disconnects (what is left stays in the outbox on disk). Not connected, close() does not wait.
   */
  closeTimeoutMs: z.number().int().min(0).default(1000),
  embedded: z
    .object({
      /** Beyond 127.0.0.1/::1 only with `username` and `password`: the broker then admits only clients that log in with them. */
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(1883),
    })
    .strict()
    .prefault({}),
  homeAssistant: z
    .object({
      enabled: z.boolean().default(false),
      discoveryPrefix: z.string().min(1).default('homeassistant'),
    })
    .strict()
    .prefault({}),
}).strict();

/** The `mqtt` section: the fields above and the rules that tie them together. */
export const mqttConfigSchema = mqttFields.superRefine((config, context) => {
  // Whole sentences naming the fields they tie together, so reported without a field path.
  const problem = (message: string): void => void context.addIssue({ code: 'custom', message });
  if (config.tls && config.url && !/^(mqtts|wss):/.test(config.url)) {
    problem(`mqtt.tls is set but mqtt.url (${redactUrl(config.url)}) is not mqtts:// or wss://`);
  }
  if (config.tls && !config.url) problem('mqtt.tls is set but there is no mqtt.url (the embedded broker has no TLS)');
  if (config.tls && Boolean(config.tls.cert) !== Boolean(config.tls.key)) problem('mqtt.tls: a client certificate needs both cert and key');
  if (!config.url && !isLoopbackHost(config.embedded.host) && !(config.username && config.password)) {
    problem(embeddedExposedMessage(config.embedded.host));
  }
});

/** The one line for an embedded broker that would accept anyone on the network. */
export function embeddedExposedMessage(host: string): string {
  return (
    `mqtt.embedded.host: ${host} lets other machines reach the embedded broker, which then needs mqtt.username and ` +
    `mqtt.password (or FER_EDGE_MQTT_USERNAME/FER_EDGE_MQTT_PASSWORD); or bind 127.0.0.1`
  );
}

/** 127.0.0.0/8, ::1 and localhost: an address no other machine can connect to. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** The outbox directory for `deviceId`: `mqtt.outbox.dir`, the default under the user's state dir, or undefined for memory only. */
export function outboxDir(config: MqttConfig, deviceId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { dir } = config.outbox;
  if (dir === false) return undefined;
  if (dir) return dir;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'fer-edge', 'mqtt-outbox', deviceId);
}

export type MqttConfig = z.infer<typeof mqttConfigSchema>;
export type MqttConfigInput = z.input<typeof mqttConfigSchema>;

/** Environment variables that override the configuration file (so that secrets need not live in it). */
export const MQTT_ENV = {
  url: 'FER_EDGE_MQTT_URL',
  username: 'FER_EDGE_MQTT_USERNAME',
  password: 'FER_EDGE_MQTT_PASSWORD',
  clientId: 'FER_EDGE_MQTT_CLIENT_ID',
  ca: 'FER_EDGE_MQTT_CA',
  cert: 'FER_EDGE_MQTT_CERT',
  key: 'FER_EDGE_MQTT_KEY',
} as const;

/** The `mqtt` section with the FER_EDGE_MQTT_* variables laid over it (they take precedence), not yet validated. */
export function withMqttEnv(input: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const base = input as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base };
  for (const key of ['url', 'username', 'password', 'clientId'] as const) {
    const value = env[MQTT_ENV[key]];
    if (value) merged[key] = value;
  }
  const tlsEnv = { ca: env[MQTT_ENV.ca], cert: env[MQTT_ENV.cert], key: env[MQTT_ENV.key] };
  if (tlsEnv.ca || tlsEnv.cert || tlsEnv.key) {
    const tls = { ...((base.tls as Record<string, unknown> | undefined) ?? {}) };
    for (const [key, value] of Object.entries(tlsEnv)) if (value) tls[key] = value;
    merged.tls = tls;
  }
  return merged;
}

/**
 * Validates `input` (the `mqtt` section of the configuration), with FER_EDGE_MQTT_* variables taking precedence.
 * A pipeline configuration does this once, in parsePipelineConfig; this is for a publisher used on its own.
 */
export function resolveMqttConfig(input: unknown = {}, env: NodeJS.ProcessEnv = process.env): MqttConfig {
  const parsed = mqttConfigSchema.safeParse(withMqttEnv(input ?? {}, env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(issue.path.length > 0 ? `mqtt.${issue.path.join('.')}: ${issue.message}` : issue.message);
  }
  return parsed.data;
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** Reads the PEM files named in `tls`; a missing or unreadable file is a ConfigError naming it. */
export function readTlsMaterial(tls: MqttConfig['tls']): TlsMaterial {
  const material: TlsMaterial = {};
  for (const key of ['ca', 'cert', 'key'] as const) {
    const path = tls?.[key];
    if (!path) continue;
    try {
      material[key] = readFileSync(path);
    } catch (error) {
      throw new ConfigError(`mqtt.tls.${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
  }
  return material;
}

/** The URL with any password replaced, for logs. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString().replace(/\/$/, '');
}
