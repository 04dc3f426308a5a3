import type { Command } from 'commander';
import { parseSourceArg } from '../../capture/index.js';
import { parsePipelineConfig, readConfigFile } from '../../sdk/config.js';
import { ConfigError } from '../../sdk/errors.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { EmotionEvent } from '../../sdk/types.js';
import { resolveMqttConfig, startEmbeddedBroker, type EmbeddedBroker } from '../../sdk/mqtt/index.js';
import { MqttEcho } from '../mqtt-echo.js';
import { positiveInt } from '../options.js';

interface RunOptions {
  config?: string;
  source?: string;
  broker?: string;
  mqtt: boolean;
  brokerPort?: number;
  model?: string;
  detector?: string;
  detectEvery?: number;
  deviceId?: string;
  playback?: 'realtime' | 'fast';
  loop?: boolean;
  maxFrames?: number;
  healthFile?: string;
  json?: boolean;
  echo?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the pipeline: camera or file -> faces -> emotions -> events on MQTT (and stdout)')
    .option('-c, --config <file>', 'YAML or JSON configuration (see README "Configuration")')
    .option('-s, --source <source>', 'camera index or /dev/videoN, video file, image folder, rtsp:// or http:// URL, GStreamer pipeline, fswebcam:<device>')
    .option('-b, --broker <url>', 'MQTT broker URL (mqtt://, mqtts://, ws://); default: an embedded broker on 127.0.0.1')
    .option('--broker-port <port>', 'port of the embedded broker (default 1883; 0 = any free port)', positiveInt('--broker-port', 0))
    .option('--no-mqtt', 'do not publish to MQTT (events on stdout only)')
    .option('-m, --model <file>', 'emotion model (.onnx or .tflite with its manifest); default: the shipped student')
    .option('-d, --detector <type>', 'face detector: blazeface, yunet, ultraface, haar (model-file detectors need --config)')
    .option('--detect-every <n>', 'run the detector on every Nth frame; tracking carries faces in between', positiveInt('--detect-every', 1))
    .option('--device-id <id>', 'device id in MQTT topics (default: host name)')
    .option('--playback <mode>', 'video files: realtime or fast')
    .option('--loop', 'video files and image folders: start again at the end')
    .option('-n, --max-frames <n>', 'stop after N processed frames', positiveInt('--max-frames', 1))
    .option('--health-file <path>', 'rewrite this file with the health status every few seconds')
    .option('--json', 'print each event as one JSON line on stdout')
    .option('--echo', 'print events as an MQTT subscriber receives them from the broker (instead of as produced)')
    .action(async (options: RunOptions) => {
      const config = parsePipelineConfig(buildConfig(options), options.config ?? 'config');
      // The embedded broker belongs to the command rather than the publisher, so that it outlives the pipeline
      // until every event has reached the --echo subscriber.
      const broker = config.mqtt !== false && !resolveMqttConfig(config.mqtt).url ? await startBroker(config.mqtt) : undefined;
      try {
        if (broker && config.mqtt !== false) config.mqtt = { ...config.mqtt, url: broker.url };
        const pipeline = await Pipeline.create(config, options.maxFrames ? { maxFrames: options.maxFrames } : {});
        if (broker && !options.json) {
          process.stderr.write(`embedded MQTT broker on ${broker.url}; subscribe with: mosquitto_sub -h ${broker.host} -p ${broker.port} -t '${pipeline.publisher!.topics.base}#' -v\n`);
        }
        await runUntilDone(pipeline, options);
      } finally {
        await broker?.close();
      }
    });
}

function buildConfig(options: RunOptions): Record<string, unknown> {
  const config: Record<string, unknown> = options.config ? readConfigFile(options.config) : {};
  if (options.source !== undefined) config.source = parseSourceArg(options.source);
  if (!config.source) throw new ConfigError('no source: give --source (a camera, file, folder or URL) or `source` in --config');
  const source = config.source as Record<string, unknown>;
  if (options.playback) {
    if (options.playback !== 'realtime' && options.playback !== 'fast') throw new ConfigError('--playback must be realtime or fast');
    source.playback = options.playback;
  }
  if (options.loop) source.loop = true;
  if (options.model) config.model = options.model;
  if (options.detector) config.detector = { type: options.detector };
  if (options.detectEvery) config.detectEvery = options.detectEvery;
  if (options.deviceId) config.deviceId = options.deviceId;
  if (options.healthFile) config.health = { ...((config.health as object | undefined) ?? {}), file: options.healthFile };
  if (!options.mqtt) config.mqtt = false;
  else if (config.mqtt !== false) {
    const mqtt = { ...((config.mqtt as Record<string, unknown> | false | undefined) || {}) };
    if (options.broker) mqtt.url = options.broker;
    if (options.brokerPort !== undefined) mqtt.embedded = { ...((mqtt.embedded as object | undefined) ?? {}), port: options.brokerPort };
    config.mqtt = mqtt;
  }
  return config;
}

async function startBroker(mqtt: Record<string, unknown>): Promise<EmbeddedBroker> {
  const embedded = resolveMqttConfig(mqtt).embedded;
  return startEmbeddedBroker(embedded.host, embedded.port);
}

async function runUntilDone(pipeline: Pipeline, options: RunOptions): Promise<void> {
  const json = options.json === true;
  const print = json ? (event: EmotionEvent) => process.stdout.write(JSON.stringify(event) + '\n') : printEvent;
  const publisher = pipeline.publisher;
  if (options.echo && !publisher) throw new ConfigError('--echo needs MQTT (drop --no-mqtt)');
  const echo = options.echo && publisher ? await MqttEcho.connect(mqttUrlOf(pipeline), publisher.topics.base, print) : undefined;
  if (!echo) pipeline.on('event', print);
  let signalled = false;
  const onSignal = (): void => {
    if (signalled) process.exit(130);
    signalled = true;
    void pipeline.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await pipeline.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await echo?.close();
  }
  const stats = pipeline.stats;
  if (!json) {
    const total = stats.latency_ms.total;
    process.stderr.write(
      `processed ${stats.frames} frames, ${stats.dropped_frames} dropped` +
        (total ? `, per-frame latency p50 ${total.p50.toFixed(1)} ms p95 ${total.p95.toFixed(1)} ms` : '') +
        (stats.mqtt ? `, MQTT events queued ${stats.mqtt.queued} dropped ${stats.mqtt.dropped}` : '') +
        '\n',
    );
  }
}

function mqttUrlOf(pipeline: Pipeline): string {
  const url = pipeline.config.mqtt === false ? undefined : resolveMqttConfig(pipeline.config.mqtt).url;
  if (!url) throw new ConfigError('no MQTT broker URL');
  return url;
}

function printEvent(event: EmotionEvent): void {
  const time = new Date(event.ts).toISOString().slice(11, 23);
  const { x, y, width, height } = event.box;
  const what = event.type === 'end' ? 'left' : event.type === 'new' ? `appeared, looks ${event.emotion}` : `now looks ${event.emotion}`;
  process.stdout.write(
    `${time} frame ${event.frame_seq} person ${event.face_id} ${what} (${(event.confidence * 100).toFixed(0)}%, ` +
      `valence ${event.valence.toFixed(2)}, arousal ${event.arousal.toFixed(2)}) box ${Math.round(x)},${Math.round(y)} ${Math.round(width)}x${Math.round(height)}\n`,
  );
}
