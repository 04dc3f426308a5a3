import { MqttPublisher } from '../mqtt/publisher.js';
import type { MqttConfig } from '../mqtt/config.js';
import type { PipelineStats } from '../types.js';
import type { PipelineOutput, PipelineSink } from './pipeline-sink.js';

/** Publishes the pipeline's events, face states and stats over MQTT (topics in README "Events"). */
export class MqttSink implements PipelineSink {
  private constructor(readonly publisher: MqttPublisher) {}

  /** Starts connecting (and the embedded broker when `config.url` is absent); resolves without waiting for the broker. */
  static async connect(config: MqttConfig, deviceId: string): Promise<MqttSink> {
    return new MqttSink(await MqttPublisher.connect(config, deviceId));
  }

  attach(pipeline: PipelineOutput): void {
    pipeline.on('event', (event) => this.publisher.publishEvent(event));
    pipeline.on('result', (result) => {
      for (const face of result.faces) if (face.state) this.publisher.publishFaceState(face.state);
    });
    pipeline.on('stats', (stats) => this.publisher.publishStats(stats));
  }

  stats(): Partial<PipelineStats> {
    return { mqtt: this.publisher.stats };
  }

  close(): Promise<void> {
    return this.publisher.close();
  }

  describe(): string {
    return `MQTT ${this.publisher.brokerUrl}`;
  }
}
