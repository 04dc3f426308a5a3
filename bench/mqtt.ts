/**
 * MQTT publisher figures against a local mosquitto (127.0.0.1, no TLS), and the per-frame cost of the metrics.
 *   - throughput: EmotionEvents per second acknowledged (PUBACK, QoS 1), and received by a QoS 1 subscriber
 *   - latency: publishEvent() to arrival at the subscriber, at 50 events/s
 *   - recovery: broker restart to every one of 1000 events queued during the outage acknowledged
 *   - metrics: ns per LatencyWindow.record / FpsCounter.tick call, µs per summary
 * Every figure is the median (and IQR) of several runs.
 *
 *   node --import tsx bench/mqtt.ts [--runs 5] [--events 5000]
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { repeatFigure } from '../src/bench/repeat.js';
import { spread, type Spread } from '../src/bench/stats.js';
import { FpsCounter, LatencyWindow } from '../src/sdk/metrics/index.js';
import { createMqttPublisher, type MqttPublisher } from '../src/sdk/mqtt/index.js';
import { Mosquitto } from '../test/helpers/mosquitto.js';
import { Collector, sampleEvent } from '../test/helpers/mqtt-fixtures.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, events: { type: 'string', default: '5000' } } });
const runs = Number(values.runs);
const eventCount = Number(values.events);
const show = (s: Spread, digits = 1) => `${s.median.toFixed(digits)} (IQR ${s.p25.toFixed(digits)}-${s.p75.toFixed(digits)})`;

const broker = await Mosquitto.start();
const publisher = await createMqttPublisher({ url: broker.url, reconnect: { minDelayMs: 100, maxDelayMs: 200 } }, 'bench');
await publisher.waitConnected(5000);
const topic = 'fer-edge/bench/events';
const subscriber = await Collector.connect(broker.url, topic);

async function untilReceived(count: number): Promise<void> {
  while (subscriber.messages.length < count) await sleep(1);
}

try {
  const acked = await repeatFigure(runs, async () => {
    subscriber.messages.length = 0;
    const start = performance.now();
    for (let i = 0; i < eventCount; i++) publisher.publishEvent(sampleEvent(1, i));
    await publisher.waitDrained(60_000);
    const ackedPerSec = eventCount / ((performance.now() - start) / 1000);
    await untilReceived(eventCount);
    return ackedPerSec;
  });
  console.log(`throughput: ${show(acked, 0)} events/s acknowledged (${eventCount} events, maxInflight 32, ${runs} runs)`);

  const latencies: number[] = [];
  const latency = await repeatFigure(runs, async () => {
    subscriber.messages.length = 0;
    const sentAt: number[] = [];
    const arrivedAt: number[] = [];
    subscriber.client.on('message', onMessage);
    function onMessage() {
      arrivedAt.push(performance.now());
    }
    for (let i = 0; i < 100; i++) {
      sentAt.push(performance.now());
      publisher.publishEvent(sampleEvent(1, i));
      await sleep(20);
    }
    await untilReceived(100);
    subscriber.client.off('message', onMessage);
    const window = new LatencyWindow(100);
    for (let i = 0; i < 100; i++) window.record(arrivedAt[i]! - sentAt[i]!);
    latencies.push(window.summary().p95);
    return window.summary().p50;
  });
  const p95 = spread(latencies);
  console.log(`latency publishEvent -> subscriber at 50 events/s: p50 ${show(latency, 2)} ms, p95 ${show(p95, 2)} ms`);

  const recovery = await repeatFigure(runs, async () => measureRecovery(publisher, broker));
  console.log(`recovery: ${show(recovery, 0)} ms from broker restart to 1000 queued events acknowledged (reconnect delay 100-200 ms)`);
} finally {
  await subscriber.close();
  await publisher.close();
  await broker.dispose();
}

async function measureRecovery(publisher: MqttPublisher, broker: Mosquitto): Promise<number> {
  await broker.stop();
  while (publisher.connected) await sleep(5);
  for (let i = 0; i < 1000; i++) publisher.publishEvent(sampleEvent(1, i));
  const start = performance.now();
  await broker.start();
  await publisher.waitDrained(30_000);
  return performance.now() - start;
}

const calls = 1_000_000;
const record = await repeatFigure(runs, async () => {
  const window = new LatencyWindow(256);
  const start = performance.now();
  for (let i = 0; i < calls; i++) window.record(i & 63);
  return ((performance.now() - start) * 1e6) / calls;
});
const tick = await repeatFigure(runs, async () => {
  const fps = new FpsCounter();
  const start = performance.now();
  for (let i = 0; i < calls; i++) fps.tick(i);
  return ((performance.now() - start) * 1e6) / calls;
});
const summary = await repeatFigure(runs, async () => {
  const window = new LatencyWindow(256);
  for (let i = 0; i < 256; i++) window.record(Math.random() * 50);
  const start = performance.now();
  for (let i = 0; i < 1000; i++) window.summary();
  return ((performance.now() - start) * 1000) / 1000;
});
const rate = await repeatFigure(runs, async () => {
  const fps = new FpsCounter();
  for (let i = 0; i < 1024; i++) fps.tick(i * 33);
  const start = performance.now();
  for (let i = 0; i < 1000; i++) fps.rate(1024 * 33);
  return ((performance.now() - start) * 1000) / 1000;
});
console.log(
  `metrics: LatencyWindow.record ${show(record, 1)} ns, FpsCounter.tick ${show(tick, 1)} ns per call; ` +
    `summary() of 256 samples ${show(summary, 1)} µs, rate() over 151 ticks ${show(rate, 1)} µs`,
);
