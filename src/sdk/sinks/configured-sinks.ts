import type { Pipeline } from '../pipeline.js';
import { HealthFileSink } from './health-file-sink.js';
import { MqttSink } from './mqtt-sink.js';

export interface ConfiguredSinks {
  /** Absent with `mqtt: false`. */
  mqtt?: MqttSink;
  /** Absent without `health.file`. */
  health?: HealthFileSink;
}

/**
 * Attaches the sinks the pipeline's configuration names: MQTT (unless `mqtt: false`), then the health file (when
 * `health.file` is set). When one cannot start, the pipeline is stopped (its model and source released) and the error
 * thrown.
 */
export async function attachConfiguredSinks(pipeline: Pipeline): Promise<ConfiguredSinks> {
  const { config } = pipeline;
  try {
    const sinks: ConfiguredSinks = {
      ...(config.mqtt !== false ? { mqtt: await MqttSink.connect(config.mqtt, config.deviceId) } : {}),
      ...(config.health.file ? { health: new HealthFileSink({ file: config.health.file, intervalSec: config.health.intervalSec }) } : {}),
    };
    if (sinks.mqtt) pipeline.attach(sinks.mqtt);
    if (sinks.health) pipeline.attach(sinks.health);
    return sinks;
  } catch (error) {
    await pipeline.stop();
    throw error;
  }
}
