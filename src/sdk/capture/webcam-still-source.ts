import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import cv from '../opencv.js';
import { SourceError } from '../../core/errors.js';
import { matToFrame } from '../preprocess/frame-mat.js';
import type { Frame } from '../types.js';
import type { FrameSource } from './frame-source.js';
import type { WebcamStillSourceConfig } from './plugins/webcam-still.js';

const execFileAsync = promisify(execFile);


export class WebcamStillSource implements FrameSource {
  readonly live = true;
  private seq = 0;
  private lastCaptureMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly config: WebcamStillSourceConfig) {}

  describe(): string {
    return `camera ${this.config.device} (fswebcam)`;
  }

  /** A first still proves that the tool and the camera work. */
  async open(): Promise<void> {
    await this.capture();
  }

  async read(): Promise<Frame | null> {
    const waitMs = this.lastCaptureMs + this.config.intervalMs - performance.now();
    if (waitMs > 1) await sleep(waitMs);
    const mat = await this.capture();
    return matToFrame(mat, this.seq++, Date.now());
  }

  async close(): Promise<void> {}

  private async capture() {
    this.lastCaptureMs = performance.now();
    const { device, width, height, skip, fswebcam, timeoutMs } = this.config;
    const args = ['--quiet', '--no-banner', '--device', device, '--resolution', `${width}x${height}`, '--skip', String(skip), '--jpeg', '95', '-'];
    let jpeg: Buffer;
    let stderr: string;
    try {
      const result = await execFileAsync(fswebcam, args, { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 64 << 20 });
      jpeg = result.stdout;
      stderr = result.stderr.toString();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${fswebcam} is not installed` : String((error as Error).message);
      throw new SourceError(reason.split('\n')[0] ?? reason);
    }
    // fswebcam exits 0 even when the device cannot be opened; the empty output and stderr tell.
    if (jpeg.length === 0) throw new SourceError(`fswebcam captured nothing: ${firstLine(stderr) || 'no output'}`);
    const mat = await cv.imdecodeAsync(jpeg, cv.IMREAD_COLOR);
    if (mat.empty) throw new SourceError('fswebcam output is not a decodable image');
    return mat;
  }
}

function firstLine(text: string): string {
  // fswebcam colours its messages with ANSI escapes
  return text.replace(/\u001b\[[0-9;]*m/g, '').trim().split('\n')[0] ?? '';
}
