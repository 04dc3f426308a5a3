/**
 * A publishing process for the last-will test: connects a publisher to the broker URL given as argv[2],
 * publishes one event, prints "ready" once the broker acknowledged it, then idles until it is killed.
 */
import { createMqttPublisher } from '../../src/sdk/mqtt/index.js';
import { sampleEvent } from './mqtt-fixtures.js';

const [url, deviceId = 'robot-will'] = process.argv.slice(2);
const publisher = await createMqttPublisher({ url, keepaliveSec: 5 }, deviceId);
if (!(await publisher.waitConnected(5000))) throw new Error(`could not connect to ${url}`);
publisher.publishEvent(sampleEvent(1, 0, 'new'));
if (!(await publisher.waitDrained(5000))) throw new Error('event not acknowledged');
process.stdout.write('ready\n');
setInterval(() => {}, 1 << 30);
