import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { brokerForTests, type Mosquitto } from './helpers/mosquitto.js';
import { Collector } from './helpers/mqtt-fixtures.js';

let broker: Mosquitto;
brokerForTests((started) => (broker = started));

test('the broker publishes the retained last will "offline" when the publishing process is killed with SIGKILL', async () => {
  const script = fileURLToPath(new URL('./helpers/mqtt-publisher-process.ts', import.meta.url));
  const live = await Collector.connect(broker.url, 'fer-edge/robot-will/#');
  const child = spawn(process.execPath, ['--import', 'tsx', script, broker.url, 'robot-will'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FER_EDGE_LOG_LEVEL: 'silent' },
  });
  const exited = once(child, 'exit');
  try {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await live.waitFor('the child to publish', () => stdout.includes('ready'), 10_000);
    await live.waitFor('online', () => live.on('fer-edge/robot-will/status').some((m) => m.payload === 'online'));
    assert.equal(live.on('fer-edge/robot-will/events').length, 1);

    child.kill('SIGKILL');
    await exited;
    await live.waitFor('the last will', () => live.on('fer-edge/robot-will/status').at(-1)?.payload === 'offline');

    const late = await Collector.connect(broker.url, 'fer-edge/robot-will/status');
    await late.waitFor('retained status', () => late.messages.length === 1);
    assert.deepEqual(late.messages[0], { topic: 'fer-edge/robot-will/status', payload: 'offline', retain: true });
    await late.close();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await live.close();
  }
});
