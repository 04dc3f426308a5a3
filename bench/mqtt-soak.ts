/**
 * Soak: many broker outages in one process, to check that the publisher neither loses accepted events nor grows.
 * Each cycle publishes events with face churn (new/update/end), stops mosquitto mid-cycle, keeps publishing, restarts
 * it, and waits for the outbox to drain. Reports delivered/dropped counts, and heap after a full GC per cycle.
 *
 *   node --expose-gc --import tsx bench/mqtt-soak.ts [--cycles 20] [--events 2000]
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMqttPublisher } from '../src/sdk/mqtt/index.js';
import { Mosquitto } from '../test/helpers/mosquitto.js';
import { Collector, sampleEvent } from '../test/helpers/mqtt-fixtures.js';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '20' }, events: { type: 'string', default: '2000' } } });
const cycles = Number(values.cycles);
const perCycle = Number(values.events);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const broker = await Mosquitto.start({ persistence: true });
const subscriber = await Collector.connect(broker.url, 'fer-edge/soak/events', { clientId: 'soak-sub', clean: false });
const publisher = await createMqttPublisher({ url: broker.url, reconnect: { minDelayMs: 100, maxDelayMs: 400 } }, 'soak');
await publisher.waitConnected(5000);

const heapMiB: number[] = [];
let seq = 0;
const start = performance.now();
try {
  for (let cycle = 0; cycle < cycles; cycle++) {
    for (let i = 0; i < perCycle; i++) {
      if (i === perCycle / 2) {
        await broker.stop();
        while (publisher.connected) await sleep(5);
      }
      const face = 1 + Math.floor(seq / 50); // a new face every 50 events
      const type = seq % 50 === 0 ? 'new' : seq % 50 === 49 ? 'end' : 'update';
      publisher.publishEvent(sampleEvent(face, seq++, type));
      if (i % 100 === 99) await sleep(1); // let the client work, as a pipeline would between frames
    }
    await broker.start();
    if (!(await publisher.waitDrained(30_000))) throw new Error(`cycle ${cycle}: not drained`);
    subscriber.messages.length = 0; // keep the collector's own memory out of the figure
    gc();
    heapMiB.push(process.memoryUsage().heapUsed / 2 ** 20);
  }
} finally {
  await publisher.close();
  await subscriber.close();
  await broker.dispose();
}
const { delivered, dropped } = publisher.state;
console.log(`${cycles} outages, ${seq} events in ${((performance.now() - start) / 1000).toFixed(1)} s: delivered ${delivered}, dropped ${dropped}`);
console.log(`heap after GC (MiB), per cycle: ${heapMiB.map((h) => h.toFixed(2)).join(' ')}`);
