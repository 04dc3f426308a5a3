import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import cv from '../opencv.js';
import { SourceError } from '../../core/errors.js';
import { matToFrame } from '../preprocess/frame-mat.js';
import type { Frame } from '../types.js';
import type { FrameSource } from './frame-source.js';
import type { ImageFolderSourceConfig } from './plugins/images.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff', '.pgm', '.ppm']);


export class ImageFolderSource implements FrameSource {
  readonly live = false;
  private files: string[] = [];
  private index = 0;
  private seq = 0;
  private lastFrameMs = 0;

  constructor(private readonly config: ImageFolderSourceConfig) {}

  describe(): string {
    return `image folder ${this.config.dir}`;
  }

  async open(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.config.dir);
    } catch (error) {
      throw new SourceError(error instanceof Error ? error.message : String(error));
    }
    const collator = new Intl.Collator(undefined, { numeric: true });
    this.files = names
      .filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase()))
      .sort(collator.compare)
      .map((name) => join(this.config.dir, name));
    if (this.files.length === 0) throw new SourceError('the folder holds no images');
    this.index = 0;
  }

  async read(): Promise<Frame | null> {
    if (this.index >= this.files.length) {
      if (!this.config.loop || this.files.length === 0) return null;
      this.index = 0;
    }
    const path = this.files[this.index++] as string;
    const mat = await cv.imreadAsync(path, cv.IMREAD_COLOR).catch(() => null);
    if (!mat || mat.empty) throw new SourceError(`${path} is not a readable image`);
    await this.pace();
    return matToFrame(mat, this.seq++, Date.now());
  }

  async close(): Promise<void> {
    this.files = [];
  }

  private async pace(): Promise<void> {
    if (!this.config.fps) return;
    const dueMs = this.lastFrameMs + 1000 / this.config.fps;
    const waitMs = dueMs - performance.now();
    if (waitMs > 1) await sleep(waitMs);
    this.lastFrameMs = performance.now();
  }
}
