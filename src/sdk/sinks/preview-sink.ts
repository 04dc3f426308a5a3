import { childLogger } from '../../core/log.js';
import type { PreviewConfig } from '../preview/config.js';
import { describeFrame } from '../preview/frame-description.js';
import { encodeFrameJpeg } from '../preview/frame-jpeg.js';
import { PreviewServer } from '../preview/preview-server.js';
import { generatePreviewToken } from '../preview/token.js';
import type { PipelineResult } from '../pipeline.js';
import type { EmotionEvent, Frame, PipelineStats } from '../types.js';
import type { PipelineOutput, PipelineSink } from './pipeline-sink.js';

const logger = childLogger('preview');

/** Events a viewer gets on connecting, so that the log is not empty until the next change. */
const RECENT_EVENTS = 50;
/** How often viewers get fresh stats (the pipeline's own 'stats' come every statsIntervalSec). */
const VIEWER_STATS_INTERVAL_MS = 1000;

/**
 * The live preview page (`fer-edge run --preview`): a web page with the annotated frames, the event log and the stats.
 * Frames are JPEG-encoded only while a viewer is connected and ready, at most `maxFps` a second; with nobody
 * watching, the pipeline pays for nothing but an idle socket.
 */
export class PreviewSink implements PipelineSink {
  private encodedFrames = 0;
  private lastEncodedAt = Number.NEGATIVE_INFINITY;
  private readonly recentEvents: EmotionEvent[] = [];
  private statsTimer: NodeJS.Timeout | undefined;
  private encodeFailed = false;

  private constructor(
    private readonly server: PreviewServer,
    private readonly config: PreviewConfig,
    /** Shown in the page's header, e.g. the device, the source and the models. */
    private readonly title: string,
  ) {}

  /** Listens (a FerEdgeError when the address is taken); a token of `true` is generated now. */
  static async start(config: PreviewConfig, title = 'fer-edge'): Promise<PreviewSink> {
    const token = config.token === true ? generatePreviewToken() : config.token;
    const server = await PreviewServer.listen({ host: config.host, port: config.port, ...(token ? { token } : {}) });
    return new PreviewSink(server, config, title);
  }

  /** The page's address, with its token when it has one. */
  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  attach(pipeline: PipelineOutput): void {
    pipeline.on('frame', (frame, result) => this.sendFrame(frame, result));
    pipeline.on('event', (event) => {
      this.recentEvents.push(event);
      if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.shift();
      this.server.broadcast({ type: 'event', event });
    });
    pipeline.on('stats', (stats) => this.server.broadcast({ type: 'stats', stats }));
    this.server.onViewer((viewer) => {
      viewer.send(JSON.stringify({ type: 'hello', title: this.title }));
      viewer.send(JSON.stringify({ type: 'events', events: this.recentEvents }));
      viewer.send(JSON.stringify({ type: 'stats', stats: pipeline.stats }));
    });
    this.statsTimer = setInterval(() => {
      if (this.server.viewers > 0) this.server.broadcast({ type: 'stats', stats: pipeline.stats });
    }, VIEWER_STATS_INTERVAL_MS).unref();
  }

  stats(): Partial<PipelineStats> {
    return { preview: { viewers: this.server.viewers, encoded_frames: this.encodedFrames } };
  }

  async close(): Promise<void> {
    clearInterval(this.statsTimer);
    await this.server.close();
  }

  describe(): string {
    return `preview ${this.server.address}`;
  }

  /** Called before the frame's pixels are released: encoded now or never. */
  private sendFrame(frame: Frame, result: PipelineResult): void {
    if (!this.server.wantsFrame) return;
    const now = performance.now();
    if (now - this.lastEncodedAt < 1000 / this.config.maxFps) return;
    this.lastEncodedAt = now;
    let jpeg: Buffer;
    try {
      jpeg = encodeFrameJpeg(frame, this.config.jpegQuality);
    } catch (error) {
      if (!this.encodeFailed) logger.warn({ err: (error as Error).message }, 'cannot encode frames for the preview');
      this.encodeFailed = true;
      return;
    }
    this.encodedFrames++;
    this.server.broadcastFrame(describeFrame(result), jpeg);
  }
}
