import { abandonedReads, parseSourceArg } from '../../sdk/capture/index.js';
import { parsePipelineConfig, readConfigFile, type PipelineConfig } from '../../sdk/config.js';
import { ConfigError } from '../../core/errors.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { EmotionEvent } from '../../sdk/types.js';
import { startEmbeddedBroker, type EmbeddedBroker, type MqttConfig } from '../../sdk/mqtt/index.js';
import { attachConfiguredSinks } from '../../sdk/sinks/configured-sinks.js';
import type { MqttSink } from '../../sdk/sinks/mqtt-sink.js';
import { MqttEcho } from '../mqtt-echo.js';
import { tellUser } from '../log-format.js';
import { SignalStop } from '../signal-stop.js';
import type { RunOptions } from './run.js';

/**
 * How long a stop by SIGTERM or SIGINT may take, whatever the pipeline is doing (opening or waiting for the source,
 * reconnecting, mid-frame): systemd sends SIGKILL after TimeoutStopSec, and a robot's stop should be prompt.
 */
const STOP_DEADLINE_MS = 1500;

/**
 * `fer-edge run`: builds the configuration from the file and flags, runs the pipeline until it ends or a signal.
 * A signal at any point stops it within STOP_DEADLINE_MS: exit status 0 after a clean stop (the sinks closed, the
 * health file `offline`); when the stop misses the deadline, or a read is still blocked in a stalled camera, the
 * process ends by SIGTERM's default action instead (143 in a shell), the health file still `offline`.
 */
export async function runCommand(options: RunOptions): Promise<void> {
  const signals = new SignalStop(STOP_DEADLINE_MS);
  try {
    const config = parsePipelineConfig(buildRunConfig(options), options.config ?? 'config');
    // The embedded broker belongs to the command rather than the publisher, so that it outlives the pipeline
    // until every event has reached the --echo subscriber.
    const broker = config.mqtt !== false && !config.mqtt.url ? await startBroker(config.mqtt) : undefined;
    try {
      // The embedded aedes broker speaks MQTT 3.1.1 only: no version fallback to go through (and log).
      if (broker && config.mqtt !== false) config.mqtt = { ...config.mqtt, url: broker.url, protocolVersion: 4 };
      if (signals.requested) return;
      const pipeline = await Pipeline.create(config, options.maxFrames ? { maxFrames: options.maxFrames } : {});
      const { mqtt, preview, health } = await attachConfiguredSinks(pipeline);
      signals.onForcedExit((why) => health?.closeNow(`stopped: ${why}`));
      signals.onStop(() => void pipeline.stop());
      if (preview) process.stderr.write(`preview on ${preview.url}\n`);
      if (broker && mqtt && !options.json) {
        tellUser(`embedded MQTT broker on ${broker.url}; subscribe with: mosquitto_sub -h ${broker.host} -p ${broker.port} -t '${mqtt.publisher.topics.base}#' -v`);
      }
      await runUntilDone(pipeline, mqtt, options);
      // A read abandoned on a stalled camera or stream would keep the process alive until it returns.
      if (abandonedReads() > 0) signals.endNow('a read is still blocked in the camera or stream');
    } finally {
      await broker?.close();
    }
  } finally {
    signals.dispose();
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A section of the file with flags laid over it. A section that is not a mapping is left as written, for validation
 * to report it (`health: must be a mapping`) rather than being spread into nonsense.
 */
function withFlags(section: unknown, flags: Record<string, unknown>): unknown {
  if (section === undefined || section === null) return flags;
  return isMapping(section) ? { ...section, ...flags } : section;
}

/** The configuration of `fer-edge run`: the --config file with the flags laid over it, not yet validated. */
export function buildRunConfig(options: RunOptions): Record<string, unknown> {
  const config: Record<string, unknown> = options.config ? readConfigFile(options.config) : {};
  if (options.source !== undefined) config.source = parseSourceArg(options.source);
  if (!config.source) throw new ConfigError('no source: give --source (a camera, file, folder or URL) or `source` in --config');
  const sourceFlags = { ...(options.playback ? { playback: options.playback } : {}), ...(options.loop ? { loop: true } : {}) };
  if (Object.keys(sourceFlags).length > 0) config.source = withFlags(config.source, sourceFlags);
  if (options.model) config.model = options.model;
  if (options.detector) config.detector = { type: options.detector };
  if (options.detectEvery) config.detectEvery = options.detectEvery;
  if (options.classifyEvery !== undefined) config.classifyEvery = options.classifyEvery;
  if (options.detectOnChange !== undefined) config.detectOnChange = options.detectOnChange;
  if (options.deviceId) config.deviceId = options.deviceId;
  if (options.healthFile) config.health = withFlags(config.health, { file: options.healthFile });
  if (options.preview || options.previewToken !== undefined) config.preview = previewConfig(config.preview, options);
  if (!options.mqtt) config.mqtt = false;
  else if (config.mqtt !== false) {
    const flags: Record<string, unknown> = options.broker ? { url: options.broker } : {};
    const embedded = isMapping(config.mqtt) ? config.mqtt.embedded : undefined;
    if (options.brokerPort !== undefined) flags.embedded = withFlags(embedded, { port: options.brokerPort });
    config.mqtt = withFlags(config.mqtt, flags);
  }
  return config;
}

function previewConfig(fromFile: unknown, options: RunOptions): unknown {
  if (!options.preview && !fromFile) throw new ConfigError('--preview-token needs --preview (or `preview` in --config)');
  const flags: Record<string, unknown> = { ...options.preview };
  if (options.previewToken !== undefined) flags.token = options.previewToken;
  return withFlags(fromFile, flags);
}

function startBroker(mqtt: MqttConfig): Promise<EmbeddedBroker> {
  return startEmbeddedBroker(mqtt.embedded.host, mqtt.embedded.port, mqtt);
}

async function runUntilDone(pipeline: Pipeline, mqtt: MqttSink | undefined, options: RunOptions): Promise<void> {
  const json = options.json === true;
  const print = json ? (event: EmotionEvent) => process.stdout.write(JSON.stringify(event) + '\n') : printEvent;
  if (options.echo && !mqtt) throw new ConfigError('--echo needs MQTT (drop --no-mqtt)');
  const echo = options.echo && mqtt ? await MqttEcho.connect(mqttUrlOf(pipeline.config), mqtt.publisher.topics.base, print, mqtt.publisher.config) : undefined;
  if (!echo) pipeline.on('event', print);
  // A login the broker refuses is a configuration error: stop, and exit 2 with its one line.
  mqtt?.publisher.onLoginRefused(() => void pipeline.stop());
  try {
    await pipeline.run();
  } finally {
    await echo?.close();
  }
  if (mqtt?.publisher.loginRefusal) throw mqtt.publisher.loginRefusal;
  const stats = pipeline.stats;
  if (!json) {
    const total = stats.latency_ms.total;
    tellUser(
      `processed ${stats.frames} frames, ${stats.dropped_frames} dropped` +
        (total ? `, per-frame latency p50 ${total.p50.toFixed(1)} ms p95 ${total.p95.toFixed(1)} ms` : '') +
        (stats.mqtt ? `, MQTT events queued ${stats.mqtt.queued} dropped ${stats.mqtt.dropped}` : ''),
    );
  }
}

function mqttUrlOf(config: PipelineConfig): string {
  const url = config.mqtt === false ? undefined : config.mqtt.url;
  if (!url) throw new ConfigError('no MQTT broker URL');
  return url;
}

/** The label as an adjective, for the human-readable echo only ("person 2 now looks surprised"). */
const LOOKS: Record<string, string> = { disgust: 'disgusted', fear: 'afraid', surprise: 'surprised' };

function printEvent(event: EmotionEvent): void {
  const time = new Date(event.ts).toISOString().slice(11, 23);
  const { x, y, width, height } = event.box;
  const looks = LOOKS[event.emotion] ?? event.emotion;
  const what = event.type === 'end' ? 'left' : event.type === 'new' ? `appeared, looks ${looks}` : `now looks ${looks}`;
  process.stdout.write(
    `${time} frame ${event.frame_seq} person ${event.face_id} ${what} (${(event.confidence * 100).toFixed(0)}%, ` +
      `valence ${event.valence.toFixed(2)}, arousal ${event.arousal.toFixed(2)}) box ${Math.round(x)},${Math.round(y)} ${Math.round(width)}x${Math.round(height)}\n`,
  );
}
