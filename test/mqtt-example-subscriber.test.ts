import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { createMqttPublisher } from '../src/sdk/mqtt/index.js';
import { brokerForTests, type Mosquitto } from './helpers/mosquitto.js';
import { sampleEvent } from './helpers/mqtt-fixtures.js';

let broker: Mosquitto;
brokerForTests((started) => (broker = started));

test('examples/mqtt-subscriber.ts reacts to the events a publisher sends and skips one its schema file refuses', async () => {
  const script = fileURLToPath(new URL('../examples/mqtt-subscriber.ts', import.meta.url));
  const robot = spawn(process.execPath, ['--import', 'tsx', script, broker.url, 'robot-ex'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  robot.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  robot.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const waitForOutput = async (text: string) => {
    const deadline = Date.now() + 12_000; // the child compiles TypeScript at start
    while (!output.includes(text)) {
      assert.ok(Date.now() < deadline, `no "${text}" in: ${output}`);
      await sleep(20);
    }
  };
  const publisher = await createMqttPublisher({ url: broker.url }, 'robot-ex');
  const other = await mqtt.connectAsync(broker.url);
  try {
    await waitForOutput('listening to fer-edge/robot-ex');
    const unknownVersion = { ...sampleEvent(3, 0, 'new', 'happy'), schema: 'fer-edge/event@2' };
    await other.publishAsync('fer-edge/robot-ex/events', JSON.stringify(unknownVersion), { qos: 1 });
    publisher.publishEvent(sampleEvent(2, 0, 'new', 'neutral'));
    publisher.publishEvent(sampleEvent(2, 8, 'update', 'surprise'));
    publisher.publishEvent(sampleEvent(2, 9, 'end', 'surprise'));
    await waitForOutput('person 2 left');
    assert.deepEqual(
      output.split('\n').filter((line) => line.startsWith('[robot-ex]')),
      ['[robot-ex] person 2 appeared, looking neutral', '[robot-ex] person 2 just looked surprised', '[robot-ex] person 2 left'],
    );
    assert.match(output, /fer-edge on robot-ex is online/);
    assert.match(output, /ignoring an invalid event on fer-edge\/robot-ex\/events: data\/schema must be equal to constant\n/);
  } finally {
    await other.endAsync();
    await publisher.close();
    const exited = once(robot, 'exit');
    robot.kill('SIGTERM');
    await exited;
  }
});
