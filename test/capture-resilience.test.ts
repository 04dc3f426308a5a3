import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSource, type SourceStatusEvent } from '../src/sdk/capture/index.js';
import { SourceError } from '../src/core/errors.js';
import { freePort } from './helpers/mosquitto.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

/** A live HTTP stream like an IP camera's: ffmpeg serving the clip in real time, looped, as MPEG-TS to one client. */
function startStreamServer(port: number): ChildProcess {
  return spawn(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-re', '-stream_loop', '-1', '-i', clipPath, '-c', 'copy', '-f', 'mpegts', '-listen', '1', `http://127.0.0.1:${port}/live.ts`],
    { stdio: 'ignore' },
  );
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

test('a stream that is down at start, then dies mid-way, comes back by itself with seq still increasing', { skip: skipUnlessShared(CLIP), timeout: 20_000 }, async () => {
  const port = await freePort();
  const source = createSource({
    type: 'opencv',
    url: `http://127.0.0.1:${port}/live.ts`,
    reconnect: { attempts: 0, initialDelayMs: 100, maxDelayMs: 400 },
  });
  const events: SourceStatusEvent[] = [];
  source.on('status', (e: SourceStatusEvent) => events.push(e));
  const servers: ChildProcess[] = [];
  try {
    // Nobody listens yet: open keeps retrying (status waiting) until the server appears.
    const opening = source.open();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(source.status, 'waiting');
    servers.push(startStreamServer(port));
    await opening;
    assert.equal(source.status, 'running');

    const before = [];
    for (let i = 0; i < 5; i++) before.push(await source.read());

    // The camera goes away; a new one appears a moment later. Frames already buffered may still arrive first.
    await stop(servers[0] as ChildProcess);
    setTimeout(() => servers.push(startStreamServer(port)), 700);
    const after = [];
    while (source.reconnects === 0 && after.length < 500) after.push(await source.read());
    for (let i = 0; i < 5; i++) after.push(await source.read());

    const seqs = [...before, ...after].map((f) => f?.seq);
    assert.deepEqual(seqs.slice(0, 5), [0, 1, 2, 3, 4]);
    for (let i = 1; i < seqs.length; i++) assert.ok((seqs[i] as number) > (seqs[i - 1] as number), `seq ${seqs.join(',')}`);
    assert.ok(source.reconnects >= 1, `reconnects ${source.reconnects}, statuses ${events.map((e) => e.status).join(',')}`);
    const statuses = events.map((e) => e.status);
    assert.ok(statuses.includes('reconnecting'), statuses.join(','));
    assert.equal(statuses.at(-1), 'running');
    assert.ok((events.at(-1) as SourceStatusEvent).reconnects >= 1);
  } finally {
    await source.close();
    await Promise.all(servers.map(stop));
  }
});

test('a camera that does not exist is a one-line SourceError after the configured attempts', async () => {
  const source = createSource({ type: 'opencv', device: '/dev/video9', reconnect: { attempts: 2, initialDelayMs: 10 } });
  const started = Date.now();
  await assert.rejects(source.open(), (e: unknown) => {
    assert.ok(e instanceof SourceError);
    assert.equal(e.message, 'camera /dev/video9 could not be opened (2 attempts): /dev/video9 does not exist');
    assert.ok(!e.message.includes('\n'), e.message);
    return true;
  });
  assert.ok(Date.now() - started < 5000);
  assert.equal(source.status, 'ended');
});

test('a missing file is a one-line SourceError too', async () => {
  const source = createSource({ type: 'opencv', file: '/nonexistent/clip.mp4', reconnect: { attempts: 1 } });
  await assert.rejects(source.open(), { name: 'SourceError', message: 'file /nonexistent/clip.mp4 could not be opened (1 attempt): no such file' });
});

test('closing a source that keeps retrying (attempts 0) stops it at once', async () => {
  const port = await freePort();
  const source = createSource({ type: 'opencv', url: `http://127.0.0.1:${port}/none.ts`, reconnect: { attempts: 0, initialDelayMs: 5000 } });
  const opening = source.open();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  await source.close();
  await opening;
  assert.ok(Date.now() - started < 1000, 'close does not wait out the backoff');
  assert.equal(source.status, 'ended');
  assert.equal(await source.read(), null);
});

test('a file OpenCV cannot decode is a one-line SourceError', async () => {
  const dir = makeTempDir('fer-corrupt-');
  const path = join(dir, 'clip.mp4');
  writeFileSync(path, Buffer.alloc(4096, 7));
  try {
    const source = createSource({ type: 'opencv', file: path, reconnect: { attempts: 2, initialDelayMs: 10 } });
    await assert.rejects(source.open(), { name: 'SourceError', message: `file ${path} could not be opened (2 attempts): OpenCV could not open it` });
  } finally {
    removeTempDir(dir);
  }
});
