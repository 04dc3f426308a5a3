import type { Pipeline } from '../pipeline.js';
import { HealthFileSink } from './health-file-sink.js';
import { MqttSink } from './mqtt-sink.js';
import { PreviewSink } from './preview-sink.js';
import { WatchdogSink } from './watchdog-sink.js';

export interface ConfiguredSinks {
  /** Absent with `mqtt: false`. */
  mqtt?: MqttSink;
  /** Absent without `health.file`. */
  health?: HealthFileSink;
  /** Absent without `preview`. */
  preview?: PreviewSink;
  /** Absent unless `health.watchdogSec` is above 0. */
  watchdog?: WatchdogSink;
}

/**
 * Attaches the sinks the pipeline's configuration names: MQTT (unless `mqtt: false`), then the health file (when
 * `health.file` is set), the watchdog (when `health.watchdogSec` is set), then the preview page (when `preview` is set). When one cannot start, the pipeline is stopped
 * (its model, source and the sinks attached so far closed) and the error thrown.
 */
export async function attachConfiguredSinks(pipeline: Pipeline): Promise<ConfiguredSinks> {
  const { config } = pipeline;
  const sinks: ConfiguredSinks = {};
  try {
    if (config.mqtt !== false) pipeline.attach((sinks.mqtt = await MqttSink.connect(config.mqtt, config.deviceId)));
    const { file, intervalSec, stallSec, watchdogSec } = config.health;
    if (file) pipeline.attach((sinks.health = new HealthFileSink({ file, intervalSec, stallSec })));
    if (watchdogSec > 0) pipeline.attach((sinks.watchdog = new WatchdogSink(watchdogSec)));
    if (config.preview) pipeline.attach((sinks.preview = await PreviewSink.start(config.preview, previewTitle(pipeline))));
    return sinks;
  } catch (error) {
    await pipeline.stop();
    throw error;
  }
}

function previewTitle(pipeline: Pipeline): string {
  return [pipeline.config.deviceId, pipeline.source.describe(), pipeline.detector.name, pipeline.classifier.manifest.name].join(' · ');
}
