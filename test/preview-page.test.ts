import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import WebSocket from 'ws';
import { ConfigError } from '../src/core/errors.js';
import { parsePipelineConfig } from '../src/sdk/config.js';
import { Pipeline } from '../src/sdk/pipeline.js';
import { parsePreviewAddress } from '../src/sdk/preview/address.js';
import { PreviewServer } from '../src/sdk/preview/preview-server.js';
import { attachConfiguredSinks } from '../src/sdk/sinks/configured-sinks.js';
import { runCli, spawnCli, userLines } from './helpers/cli.js';
import { CLIP, clipConfig, clipPath, clipSource } from './helpers/clip.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';

/** Debian's Chromium (scripts/setup.sh installs it); playwright-core drives it, nothing is downloaded. */
const CHROMIUM = process.env.FER_EDGE_CHROMIUM ?? '/usr/bin/chromium';
/** Where the screenshot is saved (gitignored); CI keeps it as an artifact. */
const ARTIFACTS = join(repoRoot, 'test-artifacts');
const BOX_COLOUR = [0x33, 0xff, 0x66];
const TOKEN = 'preview-test-token-0123456789';

const skipClip = skipUnlessShared(CLIP);
const skipBrowser = skipClip || (existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (apt-get install chromium)`);

/** Polls `condition` until it holds, failing after `timeoutMs` with `what`. */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The HTTP status of a GET, with the given headers. */
function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

/** The status a WebSocket upgrade is answered with (101 when it opens). */
function socketStatusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

test('--preview takes [host:]port', () => {
  assert.deepEqual(parsePreviewAddress('8090'), { port: 8090 });
  assert.deepEqual(parsePreviewAddress('0'), { port: 0 });
  assert.deepEqual(parsePreviewAddress('0.0.0.0:8090'), { host: '0.0.0.0', port: 8090 });
  assert.deepEqual(parsePreviewAddress('robot.local:8090'), { host: 'robot.local', port: 8090 });
  assert.deepEqual(parsePreviewAddress('[::1]:8090'), { host: '::1', port: 8090 });
  for (const bad of ['', 'robot.local', '8090:', ':8090', '70000', '::1:8090']) assert.throws(() => parsePreviewAddress(bad), /--preview must be \[host:\]port/, bad);
});

test('a preview on another address than loopback without a token is refused with one line', () => {
  assert.throws(
    () => parsePipelineConfig({ source: clipSource(), mqtt: false, preview: { host: '0.0.0.0', port: 8090 } }),
    (error: Error) => error instanceof ConfigError && /^config: preview\.token: a preview on 0\.0\.0\.0 .* needs a token/.test(error.message),
  );
  assert.doesNotThrow(() => parsePipelineConfig({ source: clipSource(), mqtt: false, preview: { host: '0.0.0.0', port: 8090, token: TOKEN } }));
  assert.doesNotThrow(() => parsePipelineConfig({ source: clipSource(), mqtt: false, preview: { host: '::1', port: 8090 } }));

  const result = runCli(['run', '--source', clipPath, '--no-mqtt', '--preview', '0.0.0.0:0']);
  assert.equal(result.status, 2, result.stderr);
  const lines = userLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /preview\.token: a preview on 0\.0\.0\.0 is reachable from other machines, so it needs a token/);
});

test('run --preview prints the page\'s URL with the token it generated, and the page answers only with it', { skip: skipClip, timeout: 120_000 }, async () => {
  const child = spawnCli(['run', '--source', clipPath, '--loop', '--playback', 'realtime', '--no-mqtt', '--preview', '127.0.0.1:0', '--preview-token']);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    await waitFor('the preview URL', () => /preview on \S+/.test(stderr) || child.exitCode !== null);
    const url = /preview on (\S+)/.exec(stderr)?.[1] ?? assert.fail(stderr);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    assert.equal(await statusOf(url), 200);
    assert.equal(await statusOf(url.replace(/\?.*/, '')), 401);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
});

test('with a token, the page and its socket refuse whoever does not give it', async () => {
  const server = await PreviewServer.listen({ host: '127.0.0.1', port: 0, token: TOKEN });
  try {
    const page = server.address;
    const socket = page.replace('http:', 'ws:') + 'ws';
    assert.equal(await statusOf(page), 401);
    assert.equal(await statusOf(`${page}?token=wrong`), 401);
    assert.equal(await statusOf(server.url), 200);
    assert.equal(await socketStatusOf(socket), 401);
    assert.equal(await socketStatusOf(`${socket}?token=wrong`), 401);
    assert.equal(await socketStatusOf(`${socket}?token=${TOKEN}`, { Origin: 'http://elsewhere.example' }), 403);
    assert.equal(await socketStatusOf(`${socket}?token=${TOKEN}`), 101);
  } finally {
    await server.close();
  }
});

test('without a token, only loopback names and pages of its own origin get through', async () => {
  const server = await PreviewServer.listen({ host: '127.0.0.1', port: 0 });
  try {
    const socket = server.address.replace('http:', 'ws:') + 'ws';
    assert.equal(await statusOf(server.url), 200);
    assert.equal(await statusOf(server.url, { Host: `localhost:${server.port}` }), 200);
    // A DNS name rebound to 127.0.0.1 by someone else's page.
    assert.equal(await statusOf(server.url, { Host: `attacker.example:${server.port}` }), 421);
    assert.equal(await socketStatusOf(socket, { Origin: 'http://attacker.example' }), 403);
    assert.equal(await socketStatusOf(socket, { Origin: `http://127.0.0.1:${server.port}` }), 101);
  } finally {
    await server.close();
  }
});

test('the page in Chromium draws the frames with face boxes and labels, the event log and the stats; no viewer, no encoding', { skip: skipBrowser, timeout: 180_000 }, async () => {
  const pipeline = await Pipeline.create(
    clipConfig({ source: clipSource({ playback: 'realtime', loop: true }), statsIntervalSec: 1, preview: { port: 0, token: true } }),
  );
  const { preview } = await attachConfiguredSinks(pipeline);
  assert.ok(preview);
  let browser: Browser | undefined;
  try {
    await pipeline.start();
    const encoded = (): number => pipeline.stats.preview!.encoded_frames;
    await waitFor('24 frames with nobody watching', () => pipeline.stats.frames >= 24);
    assert.equal(encoded(), 0, 'frames were encoded with nobody watching');
    assert.equal(await statusOf(preview.url.replace(/\?token=.*/, '')), 401);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    const page = await browser.newPage({ viewport: { width: 1100, height: 490 } });
    await page.goto(preview.url);
    // Frozen as soon as a frame shows a confirmed, visible face with its emotion, so that the checks and the
    // screenshot see that frame.
    await page.waitForFunction(
      () => {
        const state = (window as unknown as { ferPreview: PageState }).ferPreview;
        const shown = state.lastFrame?.faces.some((face) => face.emotion !== null && face.visible) ?? false;
        if (shown) state.paused = true;
        return shown;
      },
      undefined,
      { timeout: 90_000 },
    );
    const drawn = await page.evaluate(() => {
      const state = (window as unknown as { ferPreview: PageState }).ferPreview;
      const canvas = document.querySelector('canvas')!;
      const context = canvas.getContext('2d')!;
      return state.lastFrame!.faces
        .filter((face) => face.emotion !== null && face.visible)
        .map((face) => ({ label: face.label, leftEdge: [...context.getImageData(face.x, face.y + Math.floor(face.height / 2), 1, 1).data] }));
    });
    assert.ok(
      drawn.some((face) => face.leftEdge.slice(0, 3).every((value, i) => Math.abs(value - BOX_COLOUR[i]!) <= 8)),
      `no box drawn on the canvas: ${JSON.stringify(drawn)}`,
    );
    assert.ok(drawn.some((face) => /^#\d+ (angry|disgust|fear|happy|sad|surprise|neutral) \d+%$/.test(face.label)), JSON.stringify(drawn));

    await page.waitForFunction(() => document.querySelectorAll('#events li').length > 0, undefined, { timeout: 30_000 });
    const statsUpdates = await page.evaluate(() => (window as unknown as { ferPreview: PageState }).ferPreview.statsUpdates);
    await page.waitForFunction((seen) => (window as unknown as { ferPreview: PageState }).ferPreview.statsUpdates >= seen + 2, statsUpdates, { timeout: 30_000 });
    const statsText = await page.textContent('#stats');
    assert.match(statsText ?? '', /frames processed\d+/);
    assert.ok(encoded() > 0);

    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, 'preview.png');
    await page.screenshot({ path: screenshot });
    console.log(`preview screenshot: ${screenshot}`);

    await page.close();
    await waitFor('the viewer to leave', () => pipeline.stats.preview!.viewers === 0, 10_000);
    const encodedWhileWatched = encoded();
    const framesAtLeave = pipeline.stats.frames;
    await waitFor('24 more frames', () => pipeline.stats.frames >= framesAtLeave + 24);
    assert.equal(encoded(), encodedWhileWatched, 'frames were encoded after the viewer left');
  } finally {
    await browser?.close();
    await pipeline.stop();
  }
});

/** What the page keeps in window.ferPreview (src/sdk/preview/page-script.ts). */
interface PageState {
  paused: boolean;
  statsUpdates: number;
  lastFrame: { seq: number; faces: Array<{ x: number; y: number; width: number; height: number; label: string; visible: boolean; emotion: string | null }> } | null;
}
