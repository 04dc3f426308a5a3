import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { DETECTOR_PLUGINS } from '../../sdk/detectors/registry.js';
import { parsePreviewAddress } from '../../sdk/preview/address.js';
import { positiveInt } from '../options.js';

export interface RunOptions {
  config?: string;
  source?: string;
  broker?: string;
  mqtt: boolean;
  brokerPort?: number;
  model?: string;
  detector?: string;
  detectEvery?: number;
  classifyEvery?: number;
  detectOnChange?: number | false;
  deviceId?: string;
  playback?: 'realtime' | 'fast';
  loop?: boolean;
  maxFrames?: number;
  healthFile?: string;
  preview?: { host?: string; port: number };
  previewToken?: string | true;
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
    .option('--broker-port <port>', 'port of the embedded broker, 0-65535 (default 1883; 0 = any free port)', positiveInt('--broker-port', 0))
    .option('--no-mqtt', 'do not publish to MQTT (events on stdout only)')
    .option('-m, --model <file>', 'emotion model (.onnx or .tflite with its manifest); default: the shipped student')
    .option('-d, --detector <type>', `face detector: ${DETECTOR_PLUGINS.map((p) => p.type).join(', ')} (default ${DETECTOR_PLUGINS[0].type}; those that need a model file take it from --config)`)
    .option('--detect-every <n>', 'run the detector on every Nth frame, 1-30 (default 1); tracking carries faces in between', positiveInt('--detect-every', 1))
    .option('--classify-every <n>', 'between detections, classify the tracked faces on every Nth frame, 0-30 (default 1; 0 = only on detection frames)', positiveInt('--classify-every', 0))
    .option(
      '--detect-on-change <threshold>',
      'with --detect-every above 1, detect early when the picture changed this much since the last detection: a number above 0 and at most 2, or off (default 0.3)',
      detectOnChange,
    )
    .option('--device-id <id>', 'device id in MQTT topics (default: host name)')
    .addOption(new Option('--playback <mode>', 'video files: at the clip\'s own pace or as fast as frames are processed (default realtime)').choices(['realtime', 'fast']))
    .option('--loop', 'video files and image folders: start again at the end')
    .option('-n, --max-frames <n>', 'stop after N processed frames', positiveInt('--max-frames', 1))
    .option('--health-file <path>', 'rewrite this file with the health status every few seconds')
    .option('--preview <[host:]port>', 'serve a live page of the annotated frames, events and stats (host default 127.0.0.1; port 0 = any)', previewAddress)
    .option('--preview-token [token]', 'require this token on the preview page (generated when not given); needed off 127.0.0.1')
    .option('--json', 'print each event as one JSON line on stdout')
    .option('--echo', 'print events as an MQTT subscriber receives them from the broker (instead of as produced)')
    .action(async (options: RunOptions) => {
      // Loaded on use: the pipeline pulls in OpenCV and the runtimes, which other commands do not need.
      const { runCommand } = await import('./run-action.js');
      await runCommand(options);
    });
}

function detectOnChange(value: string): number | false {
  if (value === 'off') return false;
  const threshold = Number(value);
  if (!(threshold > 0 && threshold <= 2)) throw new InvalidArgumentError('--detect-on-change must be a number in (0, 2] or off');
  return threshold;
}

function previewAddress(value: string): { host?: string; port: number } {
  try {
    return parsePreviewAddress(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
