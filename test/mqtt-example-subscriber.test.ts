import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { createMqttPublisher } from '../src/sdk/mqtt/index.js';
import { spawnCli } from './helpers/cli.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { brokerForTests, type Mosquitto } from './helpers/mosquitto.js';
import { sampleEvent } from './helpers/mqtt-fixtures.js';
import { skipUnlessShared } from './helpers/shared.js';

let broker: Mosquitto;
brokerForTests((started) => (broker = started));

/** examples/mqtt-subscriber.ts for one device, its output collected; waitForOutput(text) waits until it prints text. */
function startSubscriber(device: string) {
  const script = fileURLToPath(new URL('../examples/mqtt-subscriber.ts', import.meta.url));
  const robot = spawn(process.execPath, ['--import', 'tsx', script, broker.url, device], { stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { output: '' };
  robot.stdout!.on('data', (chunk: Buffer) => (state.output += chunk.toString()));
  robot.stderr!.on('data', (chunk: Buffer) => (state.output += chunk.toString()));
  const waitForOutput = async (text: string | RegExp, timeoutMs = 12_000) => {
    const deadline = Date.now() + timeoutMs; // the child compiles TypeScript at start
    while (typeof text === 'string' ? !state.output.includes(text) : !text.test(state.output)) {
      assert.ok(Date.now() < deadline, `no "${text}" in: ${state.output}`);
      await sleep(20);
    }
  };
  return { robot, state, waitForOutput };
}

async function stop(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

test('examples/mqtt-subscriber.ts reacts to the events a publisher sends and skips one its schema file refuses', async () => {
  const { robot, state, waitForOutput } = startSubscriber('robot-ex');
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
    const output = state.output;
    assert.deepEqual(
      output.split('\n').filter((line) => line.startsWith('[robot-ex]')),
      ['[robot-ex] person 2 appeared, looking neutral', '[robot-ex] person 2 just looked surprised', '[robot-ex] person 2 left'],
    );
    assert.match(output, /fer-edge on robot-ex is online/);
    assert.match(output, /ignoring an invalid event on fer-edge\/robot-ex\/events: data\/schema must be equal to constant\n/);
  } finally {
    await other.endAsync();
    await publisher.close();
    await stop(robot);
  }
});

test('examples/mqtt-subscriber.ts reacts to the faces of the demo clip that `fer-edge run` publishes', { skip: skipUnlessShared(CLIP) }, async () => {
  const { robot, state, waitForOutput } = startSubscriber('robot-clip');
  const ferEdge = spawnCli(['run', '--source', clipPath, '--playback', 'fast', '--broker', broker.url, '--device-id', 'robot-clip']);
  try {
    await waitForOutput('listening to fer-edge/robot-clip');
    const [code] = (await once(ferEdge, 'exit')) as [number | null];
    assert.equal(code, 0);
    await waitForOutput('fer-edge on robot-clip is offline');
    const reactions = state.output.split('\n').filter((line) => line.startsWith('[robot-clip] person'));
    assert.match(reactions[0] ?? '', /^\[robot-clip\] person \d+ appeared, looking \w+$/, state.output);
    assert.ok(reactions.some((line) => / left$/.test(line)), state.output);
  } finally {
    await stop(ferEdge);
    await stop(robot);
  }
});
