import { EventEmitter } from 'node:events';
import { createSource, type ResilientSource, type SourceStatusEvent } from './capture/index.js';
import { loadEmotionClassifier, type ManifestEmotionClassifier } from './classifier.js';
import { parsePipelineConfig, type PipelineConfig, type PipelineConfigInput } from './config.js';
import { FerEdgeError } from '../core/errors.js';
import { FrameFeed } from './frame-feed.js';
import { childLogger, setLogger, type Logger } from '../core/log.js';
import { FpsCounter, StageLatencies } from './metrics/index.js';
import { cropFaces } from './preprocess/crop-faces.js';
import { releaseFrame } from './release-frame.js';
import { ResultBuffer } from './result-buffer.js';
import { DetectionSchedule, type DetectionDecision, type DetectionTrigger } from './scheduling/index.js';
import { loadDetector } from './threads/load-detector.js';
import { facesToClassify, withinFrame } from './tracking/frame-bounds.js';
import { attachConfiguredSinks } from './sinks/configured-sinks.js';
import type { PipelineSink } from './sinks/pipeline-sink.js';
import { EmotionTracker, type TrackedFace, type TrackerDetection, type TrackerResult } from './tracking/index.js';
import type { EmotionEvent, Face, FaceDetector, Frame, PipelineStats } from './types.js';

const logger = childLogger('pipeline');

/** What the pipeline made of one processed frame. */
export interface PipelineResult {
  frame: { seq: number; timestampMs: number; width: number; height: number };
  /** True when the detector ran on this frame; otherwise tracks were carried by their motion. */
  detected: boolean;
  /**
   * Why the detector ran: its turn came (`schedule`, `detectEvery`), the picture changed (`change`, `detectOnChange`),
   * or the previous frame saw a face not yet confirmed (`confirm`, `confirmOnNextFrame`).
   */
  detectedOn?: DetectionTrigger;
  /** How much the picture changed since the last detection frame (0 same, 1 unrelated), when it was measured. */
  pictureChange?: number;
  /** True when the classifier ran on this frame: on the detector's faces, or between detections on the tracked ones. */
  classified: boolean;
  /** Boxes lie within the frame (a face leaving is clamped at the edge). */
  faces: TrackedFace[];
  /** The events this frame produced (often none: events fire on change only). */
  events: EmotionEvent[];
  /** Milliseconds spent per stage on this frame. */
  latencyMs: Record<string, number>;
}

/** A frame taken from capture, with its detection under way when it is a detection frame. */
interface TakenFrame {
  frame: Frame;
  /** Whether and why it detects, and the frames since the last detection frame. */
  schedule: DetectionDecision;
  takenAt: number;
  detection?: Promise<{ faces: Face[]; ms: number }>;
}

export interface PipelineEvents {
  event: [EmotionEvent];
  result: [PipelineResult];
  /**
   * Right after 'result', with the frame's pixels, for consumers that show or save frames (the preview page). The
   * pixels are released as soon as the listeners return: encode or copy them synchronously, never keep them.
   * Emitted only while someone listens.
   */
  frame: [Frame, PipelineResult];
  stats: [PipelineStats];
  status: [SourceStatusEvent];
  /** The source is open and frames flow. */
  start: [];
  error: [Error];
  end: [];
}

export interface PipelineOptions {
  /** Stop after this many processed frames. */
  maxFrames?: number;
  /**
   * Results kept for a slow async-iterator consumer before the oldest are dropped (counted in stats.dropped_results).
   * Events are never dropped.
   */
  resultBufferSize?: number;
  /**
   * Where fer-edge logs (a pino logger, or one with its child/debug/info/warn/error): the same as setLogger(logger),
   * for the whole process. Without one the SDK logs nothing.
   */
  logger?: Logger;
}

/**
 * Camera frames -> faces -> emotions -> tracked faces -> events, as an EventEmitter ('start', 'event', 'result',
 * 'stats', 'status', 'error', 'end') and as an async iterator of per-frame results. Capture runs ahead in its own loop
 * and the newest frame wins (stale frames are dropped and counted). Sinks (MQTT, the health file) consume the output
 * and never block the frame loop.
 * The detector runs on every `detectEvery`th frame, earlier when the picture changes (`detectOnChange`) and on the
 * frame after one that saw a new face (`confirmOnNextFrame`); in between, tracks carry the faces and the classifier
 * runs on the visible ones at their predicted boxes every `classifyEvery`th frame, so emotions follow at frame rate.
 * With the detector on its own thread (`detectorThread`), the next frame is taken and its detection started while
 * this one is classified and tracked; results, events and tracking stay in frame order, exactly as without.
 */
export class Pipeline extends EventEmitter<PipelineEvents> implements AsyncIterable<PipelineResult> {
  private readonly tracker: EmotionTracker;
  private readonly schedule: DetectionSchedule;
  private readonly latencies = new StageLatencies();
  private readonly fps = new FpsCounter();
  /** Results dropped because an async-iterator consumer fell behind (frames themselves were processed). */
  private droppedResults = 0;
  private readonly results: ResultBuffer<PipelineResult>;
  private readonly startedAt = Date.now();
  private feed: FrameFeed | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private opening = false;
  private processed = 0;
  private taken = 0;
  /** The next frame, taken (or being waited for) while the current one is processed. */
  private upcoming: Promise<TakenFrame | null> | undefined;
  private faceCount = 0;
  private lastSeq = -1;
  private lastTimestampMs = 0;
  private statsTimer: NodeJS.Timeout | undefined;
  private readonly sinks: PipelineSink[] = [];

  private constructor(
    readonly config: PipelineConfig,
    readonly classifier: ManifestEmotionClassifier,
    readonly detector: FaceDetector,
    /** True when the detector runs on its own worker thread. */
    readonly detectorThreaded: boolean,
    readonly source: ResilientSource,
    private readonly options: PipelineOptions,
  ) {
    super();
    this.tracker = new EmotionTracker(config.tracker);
    this.schedule = new DetectionSchedule(config);
    this.results = new ResultBuffer(options.resultBufferSize ?? 64);
    source.on('status', (status: SourceStatusEvent) => this.emit('status', status));
  }

  /**
   * Validates the configuration and loads the model, the detector and the source; nothing runs yet and nothing is
   * published: attach sinks (or use createPipeline, which attaches those the configuration names).
   */
  static async create(configInput: PipelineConfigInput | PipelineConfig, options: PipelineOptions = {}): Promise<Pipeline> {
    if (options.logger) setLogger(options.logger);
    const config = parsePipelineConfig(configInput);
    const opened: Array<{ close(): Promise<void> | void }> = [];
    try {
      const classifier = await loadEmotionClassifier({ ...(config.model ? { modelPath: config.model } : {}), backend: config.backend });
      opened.push(classifier);
      const { detector, threaded } = await loadDetector(config.detector, config.detectorThread);
      opened.push({ close: () => detector.close?.() });
      const source = createSource(config.source);
      return new Pipeline(config, classifier, detector, threaded, source, options);
    } catch (error) {
      for (const resource of opened.reverse()) await resource.close();
      throw error;
    }
  }

  /**
   * Adds a consumer of the results, events and stats (MQTT, the health file, a preview page, your own), before
   * start(). It is closed after the last events and stats, in the order attached.
   */
  attach(sink: PipelineSink): this {
    if (this.loop) throw new Error('attach sinks before the pipeline starts');
    this.sinks.push(sink);
    sink.attach(this);
    return this;
  }

  /**
   * Opens the source (a SourceError if it never opens; with `reconnect.attempts` 0 it waits for it, stats saying
   * `waiting`) and starts processing; resolves once frames flow, or once stop() was called meanwhile.
   */
  async start(): Promise<void> {
    if (this.loop || this.opening) return;
    this.opening = true;
    this.startTimers();
    try {
      await this.source.open();
    } catch (error) {
      // Nothing will run: close MQTT (publishing offline), the model and the detector so the process can exit.
      await this.finish();
      throw error;
    }
    if (this.stopping) {
      this.loop = this.finish();
      return;
    }
    this.feed = new FrameFeed(this.source, this.source.live || this.isRealtimeFile());
    this.feed.start();
    logger.info(
      {
        source: this.source.describe(),
        model: this.classifier.manifest.name,
        detector: this.detector.name,
        detectorThread: this.detectorThreaded ? 'worker' : 'main',
        sinks: this.sinks.map((sink) => sink.describe()),
      },
      'pipeline started',
    );
    this.emit('start');
    this.loop = this.processFrames().finally(() => this.finish());
  }

  /** Runs until the source ends, maxFrames is reached or stop() is called. */
  async run(): Promise<void> {
    await this.start();
    await this.loop;
  }

  /**
   * Stops capture, ends every face (their `end` events are emitted), then closes the sinks (MQTT flushes, `offline`).
   * Aborts whatever the source is doing: opening, waiting for the camera, reconnecting, a read that blocks.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.feed) await this.source.close();
    await this.feed?.stop();
    await this.loop;
    if (!this.loop) await this.finish();
  }

  get stats(): PipelineStats {
    return {
      ts: Date.now(),
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      fps: Math.round(this.fps.rate() * 10) / 10,
      frames: this.processed,
      dropped_frames: this.feed?.dropped ?? 0,
      dropped_results: this.droppedResults,
      faces: this.faceCount,
      source: { status: this.source.status, reconnects: this.source.reconnects },
      latency_ms: this.latencies.summaries(),
      memory: memoryMiB(),
      ...Object.assign({}, ...this.sinks.map((sink) => sink.stats?.() ?? {})),
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<PipelineResult> {
    return this.results.iterator();
  }

  private isRealtimeFile(): boolean {
    const source = this.config.source;
    return source.type === 'opencv' && source.file !== undefined && source.playback === 'realtime';
  }

  private async processFrames(): Promise<void> {
    const ahead = this.detectorThreaded;
    try {
      while (!this.stopping) {
        this.upcoming ??= this.takeFrame();
        const taken = await this.upcoming;
        this.upcoming = undefined;
        if (!taken) break;
        if (ahead && !this.stopping) this.upcoming = this.takeFrame();
        try {
          await this.processFrame(taken);
        } finally {
          releaseFrame(taken.frame);
        }
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (this.listenerCount('error') > 0) this.emit('error', failure);
      else if (!(failure instanceof FerEdgeError)) logger.error({ err: failure.message }, 'pipeline stopped');
      this.results.fail(failure);
      throw failure;
    }
  }

  /**
   * The next frame from capture (null at the end or after maxFrames); on a detection frame its detection starts
   * at once, on the detector's thread when it has one.
   */
  private takeFrame(): Promise<TakenFrame | null> {
    if (this.options.maxFrames !== undefined && this.taken >= this.options.maxFrames) return Promise.resolve(null);
    const next = this.feed!.next().then((frame): TakenFrame | null => {
      if (!frame) return null;
      this.taken++;
      const takenAt = performance.now();
      const taken: TakenFrame = { frame, schedule: this.schedule.next(frame), takenAt };
      if (this.schedule.measuresChange) this.latencies.record('change', performance.now() - takenAt);
      if (taken.schedule.detect) taken.detection = this.startDetection(frame);
      return taken;
    });
    next.catch(() => undefined);
    return next;
  }

  private startDetection(frame: Frame): NonNullable<TakenFrame['detection']> {
    const start = performance.now();
    const detection = this.detector.detect(frame).then((faces) => ({ faces, ms: performance.now() - start }));
    // Awaited when the frame's turn comes; a failure before that must not count as unhandled.
    detection.catch(() => undefined);
    return detection;
  }

  /** A frame taken but never processed (the pipeline stopped): its detection is let finish and its pixels freed. */
  private async discardUpcoming(): Promise<void> {
    const taken = await this.upcoming?.catch(() => null);
    this.upcoming = undefined;
    if (!taken) return;
    await taken.detection?.catch(() => undefined);
    releaseFrame(taken.frame);
  }

  private async processFrame({ frame, schedule, takenAt, detection }: TakenFrame): Promise<void> {
    const latencyMs: Record<string, number> = {};
    const { sinceDetection } = schedule;
    let detectedOn = schedule.detect;
    // Decided now, from the tracks after the previous frame (so the same with the detector's thread taking frames
    // ahead); it leaves the schedule's count of N alone.
    if (!detection && this.config.confirmOnNextFrame && this.tracker.awaitingConfirmation) {
      detection = this.startDetection(frame);
      detectedOn = 'confirm';
    }
    const classifyEvery = this.config.classifyEvery;
    const tracked = withinFrame(
      detection
        ? await this.detectFaces(frame, detection, latencyMs)
        : await this.carryFaces(frame, classifyEvery > 0 && sinceDetection % classifyEvery === 0, latencyMs),
      frame.width,
      frame.height,
    );
    // From taking the frame to its result: with the detector ahead, this includes waiting for the previous frame.
    latencyMs.total = this.latencies.since('total', takenAt);
    this.processed++;
    this.fps.tick();
    this.lastSeq = frame.seq;
    this.lastTimestampMs = frame.timestampMs;
    this.faceCount = tracked.tracks.filter((track) => track.confirmed).length;
    this.publish(tracked.events);
    const result: PipelineResult = {
      frame: { seq: frame.seq, timestampMs: frame.timestampMs, width: frame.width, height: frame.height },
      detected: detection !== undefined,
      ...(detectedOn ? { detectedOn } : {}),
      ...(schedule.change !== undefined ? { pictureChange: schedule.change } : {}),
      classified: latencyMs.classify !== undefined,
      faces: tracked.tracks,
      events: tracked.events,
      latencyMs,
    };
    if (this.results.push(result)) this.droppedResults++;
    this.emit('result', result);
    if (this.listenerCount('frame') > 0) this.emit('frame', frame, result);
  }

  /** A detection frame: its faces (detected since it was taken), each classified, then the tracks updated. */
  private async detectFaces(frame: Frame, detection: NonNullable<TakenFrame['detection']>, latencyMs: Record<string, number>): Promise<TrackerResult> {
    const { faces, ms } = await detection;
    this.latencies.record('detect', ms);
    latencyMs.detect = ms;
    let mark = performance.now();
    const probabilities = await this.classify(frame, faces);
    latencyMs.classify = this.latencies.since('classify', mark);
    mark = performance.now();
    const detections: TrackerDetection[] = faces.map((face, i) => ({
      box: face.box,
      score: face.score,
      ...(face.landmarks ? { landmarks: face.landmarks } : {}),
      ...(probabilities[i] ? { probabilities: probabilities[i] } : {}),
    }));
    const tracked = this.tracker.update(frame.seq, frame.timestampMs, detections);
    latencyMs.track = this.latencies.since('track', mark);
    return tracked;
  }

  /**
   * A frame without detection: the tracks move by their motion and, when `classify`, the visible faces are
   * classified at their predicted boxes (clipped to the frame) and their probabilities fed to the tracker.
   */
  private async carryFaces(frame: Frame, classify: boolean, latencyMs: Record<string, number>): Promise<TrackerResult> {
    let mark = performance.now();
    const predicted = this.tracker.predict(frame.seq, frame.timestampMs);
    let trackMs = performance.now() - mark;
    const faces = classify ? facesToClassify(predicted.tracks, frame.width, frame.height) : [];
    let tracked = predicted;
    if (faces.length > 0) {
      mark = performance.now();
      const probabilities = await this.classify(frame, faces.map(({ face }) => face));
      latencyMs.classify = this.latencies.since('classify', mark);
      mark = performance.now();
      const observations = faces.flatMap(({ faceId }, i) => (probabilities[i] ? [{ faceId, probabilities: probabilities[i] }] : []));
      const events = this.tracker.observe(frame.seq, frame.timestampMs, observations);
      tracked = { tracks: this.tracker.trackedFaces(frame.seq, frame.timestampMs), events: [...predicted.events, ...events] };
      trackMs += performance.now() - mark;
    }
    this.latencies.record('track', trackMs);
    latencyMs.track = trackMs;
    return tracked;
  }

  private async classify(frame: Frame, faces: Face[]): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    const manifest = this.classifier.manifest;
    const crops = cropFaces(frame, faces, manifest.input, {
      expand: this.config.crop.expand ?? manifest.crop?.expand ?? 1.25,
      align: this.config.crop.align,
    });
    return this.classifier.classify(crops);
  }

  private publish(events: EmotionEvent[]): void {
    for (const event of events) this.emit('event', event);
  }

  private startTimers(): void {
    this.statsTimer = setInterval(() => this.emit('stats', this.stats), this.config.statsIntervalSec * 1000).unref();
  }

  private finishing: Promise<void> | undefined;

  private finish(): Promise<void> {
    this.finishing ??= (async () => {
      clearInterval(this.statsTimer);
      await this.feed?.stop();
      await this.discardUpcoming();
      this.publish(this.tracker.endAll(Math.max(this.lastSeq, 0), this.lastTimestampMs || Date.now()));
      this.emit('stats', this.stats);
      for (const sink of this.sinks) await sink.close();
      await this.detector.close?.();
      await this.classifier.close();
      this.results.end();
      this.emit('end');
    })();
    return this.finishing;
  }
}

/**
 * The SDK's entry point: `const pipeline = await createPipeline(config); pipeline.on('event', ...); await
 * pipeline.run()`. The pipeline with the sinks its configuration names attached: MQTT (unless `mqtt: false`) and the
 * health file.
 */
export async function createPipeline(config: PipelineConfigInput | PipelineConfig, options: PipelineOptions = {}): Promise<Pipeline> {
  const pipeline = await Pipeline.create(config, options);
  await attachConfiguredSinks(pipeline);
  return pipeline;
}

function memoryMiB(): { rss_mib: number; heap_used_mib: number } {
  const { rss, heapUsed } = process.memoryUsage();
  const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
  return { rss_mib: mib(rss), heap_used_mib: mib(heapUsed) };
}
