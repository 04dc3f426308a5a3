/**
 * Does detection every Nth frame keep the events accurate? The SDK pipeline (createPipeline, MQTT off, the default
 * detector and model) on the Tears of Steel clip read as fast as it decodes, with detection on every frame as the
 * reference and every 2nd/3rd/5th/10th frame with the tracked faces classified in between (classifyEvery 1) and
 * without (classifyEvery 0). Figures only, no pass/fail:
 *
 * - frames/s end to end, and as a share of decoding the clip alone (same OpenCV source, nothing else);
 * - face presence: per frame, the confirmed faces seen by the last detection (not those coasting after a miss, whose
 *   boxes are guesses in both runs) matched to the reference's by IoU >= 0.5 (greedy, best first):
 *   recall = matched / reference faces, precision = matched / faces reported;
 * - emotion agreement over the matched faces: the smoothed top emotion (argmax of the smoothed probabilities) and the
 *   dominant emotion after hysteresis (what events report) equal to the reference's;
 * - events (new/update/end), and the reference's events matched by one of the same type on the same face (IoU >= 0.3)
 *   within half a second of video; label agreement = matched pairs with the same emotion.
 *
 * - each configuration with the detector on its own worker thread (`detectorThread: worker`, overlapping detection with
 *   classification and tracking) and on the pipeline's thread (`main`), and whether the two gave identical faces and
 *   events frame by frame;
 * - each configuration with early detection on a change of picture (`detectOnChange`, --on-change: thresholds, `off`
 *   for every Nth frame only) and a new face looked for again on the next frame (`confirmOnNextFrame`, --confirm off,on),
 *   with how many frames the detector ran on and how many of those the change and the confirmation triggered.
 *
 * Fast playback stamps frames on the file's clock, so smoothing, hysteresis and time-outs see the same times in every
 * run whatever its speed, and every repetition gives the same results; only frames/s depends on the machine: each
 * configuration runs --repeat times (decoding alone before each, the variants alternating) and the median frames/s of
 * each is reported with the range.
 *
 *   node --import tsx bench/event-agreement.ts [--video clip.mp4] [--every 2,3,5,10] [--classify-every 1,0] [--repeat 2]
 *                                              [--threads worker,main] [--on-change off,default]
 *                                              [--confirm off,on] [--model m.onnx] [--json]
 */
import { parseArgs } from 'node:util';
import { createSource } from '../src/sdk/capture/index.js';
import { pipelineConfigSchema } from '../src/sdk/config.js';
import { createPipeline } from '../src/sdk/pipeline.js';
import { greedyMatch, matchEvents } from '../src/bench/event-match.js';
import { iou } from '../src/sdk/tracking/index.js';
import { EMOTION_LABELS, type Box, type EmotionEvent } from '../src/sdk/types.js';
import { sharedPath } from '../test/helpers/shared.js';

const { values: args } = parseArgs({
  options: {
    video: { type: 'string', default: sharedPath('media', 'tears_of_steel_10s_640x360.mp4') },
    every: { type: 'string', default: '2,3,5,10' },
    'classify-every': { type: 'string', default: '1,0' },
    repeat: { type: 'string', default: '2' },
    threads: { type: 'string', default: 'worker,main' },
    'on-change': { type: 'string', default: 'off,default' },
    confirm: { type: 'string', default: 'off,on' },
    model: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const FACE_IOU = 0.5;

interface FrameFace {
  box: Box;
  /** argmax of the smoothed probabilities; undefined before the face was first classified. */
  top?: string;
  /** The dominant emotion after hysteresis. */
  dominant?: string;
}

interface Run {
  /** The emotion model's name and file format, from its manifest. */
  model: string;
  detectEvery: number;
  classifyEvery: number;
  /** Where the detector ran: its own worker thread or the pipeline's thread. */
  thread: 'worker' | 'main';
  /** The `detectOnChange` threshold (false: every Nth frame only). */
  onChange: number | false;
  /** `confirmOnNextFrame`. */
  confirm: boolean;
  frames: FrameFace[][];
  /** frames/s of every repetition, in order. */
  allFps: number[];
  events: EmotionEvent[];
  seconds: number;
  fps: number;
  detectedFrames: number;
  /** Detection frames the change of picture triggered (before their turn), and those run to confirm a new face. */
  changeDetections: number;
  confirmDetections: number;
  classifiedFrames: number;
  /** The file's frame rate, from the frames' time stamps (fast playback stamps them on the file's clock). */
  videoFps: number;
}

type Thread = Run['thread'];

/** `detectOnChange` when the configuration does not set it. */
const DEFAULT_ON_CHANGE = pipelineConfigSchema.shape.detectOnChange.parse(undefined);

interface Variant {
  thread: Thread;
  onChange: number | false;
  confirm: boolean;
}

async function runPipeline(detectEvery: number, classifyEvery: number, { thread, onChange, confirm }: Variant): Promise<Run> {
  const pipeline = await createPipeline({
    detectorThread: thread,
    detectOnChange: onChange,
    confirmOnNextFrame: confirm,
    source: { type: 'opencv', file: args.video, playback: 'fast' },
    ...(args.model ? { model: args.model } : {}),
    detectEvery,
    classifyEvery,
    mqtt: false,
    statsIntervalSec: 3600,
  });
  const frames: FrameFace[][] = [];
  const events: EmotionEvent[] = [];
  let detectedFrames = 0;
  let changeDetections = 0;
  let confirmDetections = 0;
  let classifiedFrames = 0;
  const stamps: number[] = [];
  pipeline.on('event', (event) => events.push(event));
  pipeline.on('result', (result) => {
    if (result.detected) detectedFrames++;
    if (result.detectedOn === 'change') changeDetections++;
    if (result.detectedOn === 'confirm') confirmDetections++;
    if (result.classified) classifiedFrames++;
    stamps.push(result.frame.timestampMs);
    frames[result.frame.seq] = result.faces
      .filter((face) => face.confirmed && face.visible)
      .map((face) => {
        const probabilities = face.state && EMOTION_LABELS.map((label) => face.state!.probabilities[label]);
        return {
          box: face.box,
          ...(probabilities ? { top: EMOTION_LABELS[probabilities.indexOf(Math.max(...probabilities))]! } : {}),
          ...(face.state ? { dominant: face.state.emotion } : {}),
        };
      });
  });
  const start = performance.now();
  await pipeline.run();
  const seconds = (performance.now() - start) / 1000;
  const videoFps = stamps.length > 1 ? ((stamps.length - 1) * 1000) / (stamps.at(-1)! - stamps[0]!) : Number.NaN;
  const { name, format, precision } = pipeline.classifier.manifest;
  const fps = frames.length / seconds;
  if (pipeline.detectorThreaded !== (thread === 'worker')) throw new Error(`detectorThread ${thread} did not take effect`);
  return {
    model: `${name} (${precision} ${format})`,
    detectEvery,
    classifyEvery,
    thread,
    onChange,
    confirm,
    frames,
    allFps: [fps],
    events,
    seconds,
    fps,
    detectedFrames,
    changeDetections,
    confirmDetections,
    classifiedFrames,
    videoFps,
  };
}

/** Frames/s of reading the clip alone through the same source the pipeline uses (fast playback). */
async function decodeOnlyFps(): Promise<number> {
  const source = createSource({ type: 'opencv', file: args.video, playback: 'fast' });
  await source.open();
  const start = performance.now();
  let frames = 0;
  for (let frame = await source.read(); frame; frame = await source.read()) {
    frames++;
    (frame.data as { release?: () => void }).release?.();
  }
  const seconds = (performance.now() - start) / 1000;
  await source.close();
  return frames / seconds;
}

interface Agreement {
  faceRecall: number;
  facePrecision: number;
  /** Matched faces classified in both runs, and the shares of them with the same top / dominant emotion. */
  comparedFaces: number;
  topAgreement: number;
  dominantAgreement: number;
  eventsMatched: number;
  eventLabelAgreement: number;
}

function compare(reference: Run, run: Run): Agreement {
  // Faces per frame in each run, matched ones, matched ones classified in both, and those with the same emotions.
  const n = { reference: 0, run: 0, matched: 0, compared: 0, sameTop: 0, sameDominant: 0 };
  reference.frames.forEach((expected, seq) => {
    const actual = run.frames[seq] ?? [];
    n.reference += expected.length;
    n.run += actual.length;
    for (const [i, j] of greedyMatch(expected, actual, (x, y) => iou(x.box, y.box), FACE_IOU)) {
      n.matched++;
      const x = expected[i]!;
      const y = actual[j]!;
      if (!x.top || !y.top) continue;
      n.compared++;
      if (x.top === y.top) n.sameTop++;
      if (x.dominant === y.dominant) n.sameDominant++;
    }
  });
  const eventPairs = matchEvents(reference.events, run.events, reference.videoFps);
  const sameLabel = eventPairs.filter(([i, j]) => reference.events[i]!.emotion === run.events[j]!.emotion).length;
  return {
    faceRecall: n.reference === 0 ? 1 : n.matched / n.reference,
    facePrecision: n.run === 0 ? 1 : n.matched / n.run,
    comparedFaces: n.compared,
    topAgreement: n.compared === 0 ? Number.NaN : n.sameTop / n.compared,
    dominantAgreement: n.compared === 0 ? Number.NaN : n.sameDominant / n.compared,
    eventsMatched: reference.events.length === 0 ? 1 : eventPairs.length / reference.events.length,
    eventLabelAgreement: eventPairs.length === 0 ? Number.NaN : sameLabel / eventPairs.length,
  };
}

function eventCounts(events: EmotionEvent[]): string {
  const count = (type: string): number => events.filter((e) => e.type === type).length;
  return `${events.length} (${count('new')}/${count('update')}/${count('end')})`;
}

const percent = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** Faces (boxes, emotions) and events of two runs equal frame by frame (events' `ts` aside: each run has its own epoch). */
function identical(a: Run, b: Run): boolean {
  const comparable = (run: Run): string => JSON.stringify([run.frames, run.events.map(({ ts: _, ...event }) => event)]);
  return comparable(a) === comparable(b);
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const decodeRuns: number[] = [];
const threads = args.threads.split(',') as Thread[];
const confirms = args.confirm.split(',').map((value) => value === 'on');
const onChanges = args['on-change'].split(',').map((value): number | false => (value === 'off' ? false : value === 'default' ? DEFAULT_ON_CHANGE : Number(value)));
/**
 * The configuration in every variant (thread mode x detectOnChange), --repeat times each, the variants alternating
 * so that a change in the machine's load falls on all: per variant the first run's results with the frames/s of all.
 */
async function measure(detectEvery: number, classifyEvery: number, variants: Variant[]): Promise<Run[]> {
  const runs = new Map<Variant, Run>();
  for (let i = 0; i < Math.max(1, Number(args.repeat)); i++) {
    decodeRuns.push(await decodeOnlyFps());
    for (const variant of variants) {
      const run = await runPipeline(detectEvery, classifyEvery, variant);
      const first = runs.get(variant);
      if (!first) runs.set(variant, run);
      else first.allFps.push(run.fps);
    }
  }
  return [...runs.values()].map((run) => ({ ...run, fps: median(run.allFps) }));
}

// Detection on every frame: no change to trigger anything.
const referenceRuns = await measure(
  1,
  1,
  threads.map((thread) => ({ thread, onChange: false, confirm: false })),
);
const reference = referenceRuns.find((run) => run.thread === 'main') ?? referenceRuns[0]!;
const rows: { run: Run; agreement?: Agreement; sameAsMain?: boolean }[] = [];
const addRows = (runs: Run[]): void => {
  for (const run of runs) {
    const main = runs.find((other) => other.thread === 'main' && other.onChange === run.onChange && other.confirm === run.confirm);
    rows.push({ run, ...(run === reference ? {} : { agreement: compare(reference, run) }), ...(main && run !== main ? { sameAsMain: identical(run, main) } : {}) });
  }
};
addRows(referenceRuns);
for (const every of args.every.split(',').map(Number)) {
  // Every Nth frame only (the old way) first, then each combination of the two triggers.
  const variants = onChanges.flatMap((onChange) => confirms.flatMap((confirm) => threads.map((thread) => ({ thread, onChange, confirm }))));
  for (const classifyEvery of args['classify-every'].split(',').map(Number)) addRows(await measure(every, classifyEvery, variants));
}
const decodeFps = median(decodeRuns);
const spread = (xs: number[]): string => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;

if (args.json) {
  const report = {
    video: args.video,
    model: reference.model,
    modelFile: args.model ?? 'default (models/index.json)',
    decodeOnlyFps: decodeFps,
    decodeOnlyRuns: decodeRuns,
    runs: rows.map(({ run, agreement, sameAsMain }) => ({
      detectEvery: run.detectEvery,
      classifyEvery: run.classifyEvery,
      detectorThread: run.thread,
      detectOnChange: run.onChange,
      confirmOnNextFrame: run.confirm,
      fpsRuns: run.allFps,
      ...(sameAsMain !== undefined ? { identicalToMainThread: sameAsMain } : {}),
      frames: run.frames.length,
      seconds: run.seconds,
      fps: run.fps,
      detectedFrames: run.detectedFrames,
      changeDetections: run.changeDetections,
      confirmDetections: run.confirmDetections,
      classifiedFrames: run.classifiedFrames,
      events: run.events.map(({ type, face_id, emotion, frame_seq, box }) => ({ type, face_id, emotion, frame_seq, box })),
      ...(agreement ? { agreement } : {}),
    })),
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} else {
  const lines = [
    `${reference.frames.length} frames of ${args.video}; model ${reference.model}; decode only: ${decodeFps.toFixed(0)} [${spread(decodeRuns)}] frames/s ` +
      `(median [range] of ${decodeRuns.length}); frames/s: median [range] of ${args.repeat}; reference: detection and classification on every frame, detector on the main thread`,
    '',
    '| detect every | on change | confirm next frame | classify between | detector thread | same as main thread | frames/s | % of decode | detections (on change, to confirm) | classified frames | face recall | face precision | top emotion agrees | dominant agrees | events (new/update/end) | ref. events matched | event label agrees |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(({ run, agreement, sameAsMain }) =>
      [
        run.detectEvery,
        run.detectEvery === 1 || run.onChange === false ? '' : run.onChange,
        run.detectEvery === 1 || !run.confirm ? '' : 'yes',
        run.detectEvery === 1 ? 'every frame' : run.classifyEvery === 0 ? 'no' : run.classifyEvery === 1 ? 'every frame' : `every ${run.classifyEvery} frames`,
        run === reference ? 'main (reference)' : run.thread,
        sameAsMain === undefined ? '' : sameAsMain ? 'identical' : 'differs',
        `${run.fps.toFixed(0)} [${spread(run.allFps)}]`,
        percent(run.fps / decodeFps),
        `${run.detectedFrames} (${run.changeDetections}, ${run.confirmDetections})`,
        run.classifiedFrames,
        agreement ? percent(agreement.faceRecall) : '',
        agreement ? percent(agreement.facePrecision) : '',
        agreement ? `${percent(agreement.topAgreement)} of ${agreement.comparedFaces}` : '',
        agreement ? percent(agreement.dominantAgreement) : '',
        eventCounts(run.events),
        agreement ? percent(agreement.eventsMatched) : '',
        agreement ? percent(agreement.eventLabelAgreement) : '',
      ].join(' | '),
    ).map((row) => `| ${row} |`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
