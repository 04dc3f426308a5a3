import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { clipPath } from './clip.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** The child: an HTTP MJPEG camera (multipart/x-mixed-replace at 25 frames/s) that can stall or never answer. */
const SERVER = `
const http = require('node:http');
const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const [dir, mode, stallAfter] = process.argv.slice(1);
const frames = readdirSync(dir).sort().map((name) => readFileSync(join(dir, name)));
let connections = 0;
const server = http.createServer((req, res) => {
  const n = ++connections;
  console.log('connection ' + n);
  req.socket.on('error', () => {});
  if (mode === 'silent') return;
  res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame' });
  let sent = 0;
  const timer = setInterval(() => {
    if (n === 1 && sent >= Number(stallAfter)) return;
    const jpeg = frames[sent++ % frames.length];
    res.write('--frame\\r\\nContent-Type: image/jpeg\\r\\nContent-Length: ' + jpeg.length + '\\r\\n\\r\\n');
    res.write(jpeg);
    res.write('\\r\\n');
  }, 40);
  res.on('close', () => clearInterval(timer));
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

export interface StallStream {
  url: string;
  /** Connections accepted so far (each open of the stream is one). */
  readonly connections: number;
  /** Stops the server: its connections close, new ones are refused. */
  stop(): Promise<void>;
}

export interface StallStreamOptions {
  /** `stall`: the first connection gets `stallAfter` frames, then nothing while it stays open; later ones stream on. `silent`: accepts, never answers. */
  mode: 'stall' | 'silent';
  stallAfter?: number;
}

/**
 * A camera stream that stalls, served from a child process (OpenCV opens a stream synchronously, which would block a
 * server in the test's own event loop). Frames: the first 2 s of the demo clip as JPEG.
 */
export async function startStallStream({ mode, stallAfter = 50 }: StallStreamOptions): Promise<StallStream> {
  const dir = makeTempDir('fer-edge-mjpeg-');
  const extracted = spawnSync('ffmpeg', ['-v', 'error', '-i', clipPath, '-frames:v', '48', '-q:v', '5', join(dir, 'f%03d.jpg')]);
  if (extracted.status !== 0 || readdirSync(dir).length === 0) throw new Error(`ffmpeg could not extract frames: ${extracted.stderr}`);
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, dir, mode, String(stallAfter)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let connections = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`stream server exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('port ')) resolve(Number(line.slice(5)));
      if (line.startsWith('connection ')) connections = Number(line.slice(11));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/camera.mjpg`,
    get connections() {
      return connections;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      removeTempDir(dir);
    },
  };
}
