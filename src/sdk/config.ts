import { hostname } from 'node:os';
import { z } from 'zod';
import { sourceConfigSchema } from './capture/index.js';
import { backendConfigSchema } from './backends/index.js';
import { defaultDetectorConfig, detectorConfigSchema } from './detectors/index.js';
import { parseConfig } from './config-issue.js';
import { mqttConfigSchema, withMqttEnv } from './mqtt/config.js';
import { previewConfigSchema } from './preview/config.js';
import { trackerConfigSchema } from './tracking/index.js';

export { readConfigFile } from './config-file.js';

/** A device id safe to use in an MQTT topic level. */
export function defaultDeviceId(): string {
  return hostname().replace(/[^A-Za-z0-9_-]/g, '-') || 'robot';
}

/** The configuration of `fer-edge run` and `createPipeline`: a YAML or JSON file, then command-line overrides. */
export const pipelineConfigSchema = z
  .object({
    /** The `<device_id>` level of every MQTT topic. Default: the host name. */
    deviceId: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only (it is an MQTT topic level)')
      .default(defaultDeviceId),
    source: sourceConfigSchema,
    detector: detectorConfigSchema.default(() => detectorConfigSchema.parse(defaultDetectorConfig)),
    /**
     * Run the detector (and the classifier on its faces) on every Nth frame; in between, tracks carry the faces by
     * their motion and lost faces still end on time. 1 = every frame.
     */
    detectEvery: z.number().int().min(1).max(30).default(1),
    /**
     * With `detectEvery` above 1, also detect on any frame whose picture changed this much since the last detection
     * frame, and count N again from there: a shot cut, a camera pan (the robot turning its head), someone stepping
     * in. The change is 1 - the correlation of small grey thumbnails (0 = the same picture, whatever its brightness;
     * 1 = unrelated): a cut measures about 1, motion within a shot a few hundredths, a fast pan up to about half
     * (measured on the demo clip: bench/RESULTS.md). `false` = every Nth frame only.
     */
    detectOnChange: z.union([z.literal(false), z.number().gt(0).max(2)]).default(0.3),
    /**
     * With `detectEvery` above 1, a face first seen on a detection frame is looked for again on the next frame, so
     * that it is confirmed (and announced) on two consecutive frames as with detection on every frame, rather than
     * waiting N frames for its second detection (a face on screen for a few frames is otherwise never announced).
     */
    confirmOnNextFrame: z.boolean().default(true),
    /**
     * Between detections, classify the tracked faces that are still visible at their predicted boxes on every Kth
     * frame, so smoothed emotions and events follow at frame rate rather than at detection rate. 1 = every frame;
     * 0 = classify only on detection frames. Detection frames always classify the faces they find.
     */
    classifyEvery: z.number().int().min(0).max(30).default(1),
    /**
     * Where the detector runs. `worker`: a worker thread with its own model session, so that detecting the next frame
     * overlaps classifying and tracking this one on another core. `main`: the pipeline's own thread, one stage after
     * the other. `auto`: worker with 3 cores or more (decoding, the pipeline and the detector each get one; on 2
     * cores the worker measured no faster, bench/RESULTS.md). Results and events are the same either way.
     */
    detectorThread: z.enum(['auto', 'worker', 'main']).default('auto'),
    /** An .onnx or .tflite model with its manifest beside it. Default: the shipped student (models/index.json). */
    model: z.string().min(1).optional(),
    backend: backendConfigSchema.default({ type: 'auto' }),
    crop: z
      .object({
        /** Square crop side as a multiple of the face box; default: the model manifest's crop.expand, else 1.25. */
        expand: z.number().min(1).max(3).optional(),
        /** Rotate each crop so that the eyes are level, when the detector gives landmarks. */
        align: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    tracker: trackerConfigSchema.prefault({}),
    /**
     * MQTT publishing; `false` turns it off (SDK use without a broker). Absent url: an embedded broker. The
     * FER_EDGE_MQTT_* variables override it (parsePipelineConfig), so that secrets need not live in the file.
     */
    mqtt: z.union([z.literal(false), mqttConfigSchema]).prefault({}),
    /**
     * Service health. `file`: one line of JSON (schema `fer-edge/health@1`) rewritten every `intervalSec`, on every
     * status change and at the end, for service health checks and deploy. `stallSec`: no processed frame for longer
     * than this reads `stalled`. `watchdogSec`: when the event loop stops answering, or no frame is processed while the
     * source runs, for this long, the process logs one line and kills itself (SIGKILL) so that the service manager
     * restarts it; 0 = off.
     */
    health: z
      .object({
        file: z.string().min(1).optional(),
        intervalSec: z.number().positive().default(5),
        stallSec: z.number().positive().default(10),
        watchdogSec: z.number().min(0).default(0),
      })
      .strict()
      .prefault({}),
    /**
     * A live web page with the annotated frames, the event log and the stats (`fer-edge run --preview`). Absent: off.
     * Frames are encoded only while someone watches.
     */
    preview: previewConfigSchema.optional(),
    /** Interval of the 'stats' event (and the MQTT stats topic). */
    statsIntervalSec: z.number().positive().default(5),
  })
  .strict();

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
export type PipelineConfigInput = z.input<typeof pipelineConfigSchema>;

/**
 * Validates a configuration object, with the FER_EDGE_MQTT_* variables of `env` laid over its `mqtt` section (pass
 * `{}` to check a file as written, as deploy does on the workstation); the first problem becomes a one-line
 * ConfigError naming the field (`config.yaml: mqtt: unknown key "utl" (did you mean "url"?)`). Every section refuses
 * keys it does not know: a misspelt setting would otherwise be silently ignored.
 */
export function parsePipelineConfig(input: unknown, origin = 'config', env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return parseConfig(pipelineConfigSchema, withEnv(input, env), origin);
}

function withEnv(input: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const config = input as Record<string, unknown>;
  if (config.mqtt === false) return input;
  return { ...config, mqtt: withMqttEnv(config.mqtt ?? {}, env) };
}
