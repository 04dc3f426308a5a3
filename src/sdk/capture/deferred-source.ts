import type { Frame } from '../types.js';
import type { FrameSource } from './frame-source.js';

/**
 * A source whose implementation is loaded when it is first opened, so that building a pipeline's configuration and
 * source object loads no native module until frames are wanted.
 */
export class DeferredSource implements FrameSource {
  private inner: FrameSource | undefined;

  constructor(
    private readonly kind: string,
    readonly live: boolean,
    private readonly load: () => Promise<FrameSource>,
  ) {}

  async open(): Promise<void> {
    this.inner ??= await this.load();
    await this.inner.open();
  }

  read(): Promise<Frame | null> {
    if (!this.inner) return Promise.reject(new Error(`${this.describe()} is not open`));
    return this.inner.read();
  }

  async close(): Promise<void> {
    await this.inner?.close();
  }

  describe(): string {
    return this.inner?.describe() ?? `${this.kind} source`;
  }
}
