// Comparisons for targets/rpi/verify-arm64.sh (plain Node.js, no dependencies). Exit 1 when the runs disagree.
//   node verify-compare.mjs events <x86-64 service log> <arm64 service log> [frames: compare events before this frame]
//   node verify-compare.mjs outputs <x86-64 predictions.jsonl> <arm64 predictions.jsonl> <max |dp|>
import { readFileSync } from 'node:fs';

/** Box corners may differ by this many pixels (the detector's float outputs, rounded for the log). */
const BOX_PX = 2;

// An event line of `fer-edge run` (the service's standard output):
// 12:00:01.234 frame 17 person 2 appeared, looks happy (81%, valence 0.62, arousal 0.41) box 100,50 80x80
const EVENT = /frame (\d+) person (\S+) (appeared, looks (\S+)|now looks (\S+)|left) \((\d+)%, [^)]*\) box (-?\d+),(-?\d+) (\d+)x(\d+)$/;

function events(path) {
  const found = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = EVENT.exec(line);
    if (!m) continue;
    const type = m[4] ? 'new' : m[5] ? 'update' : 'end';
    found.push({ frame: Number(m[1]), person: m[2], type, label: m[4] ?? m[5] ?? '-', confidence: Number(m[6]), box: m.slice(7, 11).map(Number) });
  }
  return found;
}

const show = (e) => `frame ${e.frame} person ${e.person} ${e.type} ${e.label} box ${e.box.join(',')}`;

function compareEvents(referencePath, runPath, frames) {
  const before = (e) => frames === undefined || e.frame < frames;
  const reference = events(referencePath).filter(before);
  const run = events(runPath).filter(before);
  const problems = [];
  if (reference.length === 0) problems.push('no events in the x86-64 run');
  let confidence = 0;
  let box = 0;
  for (let i = 0; i < Math.max(reference.length, run.length); i++) {
    const [a, b] = [reference[i], run[i]];
    if (!a || !b) {
      problems.push(`event ${i + 1}: ${a ? show(a) : 'none'} on x86-64, ${b ? show(b) : 'none'} on arm64`);
      continue;
    }
    const boxDiff = Math.max(...a.box.map((v, k) => Math.abs(v - b.box[k])));
    if (a.frame !== b.frame || a.person !== b.person || a.type !== b.type || a.label !== b.label || boxDiff > BOX_PX) {
      problems.push(`event ${i + 1}: ${show(a)} on x86-64, ${show(b)} on arm64`);
    }
    confidence = Math.max(confidence, Math.abs(a.confidence - b.confidence));
    box = Math.max(box, boxDiff);
  }
  const faces = new Set(reference.filter((e) => e.type === 'new').map((e) => e.person)).size;
  if (problems.length) {
    console.log(`events: ${reference.length} on x86-64, ${run.length} on arm64: ${problems.length} differ`);
    for (const p of problems.slice(0, 10)) console.log(`  ${p}`);
    return false;
  }
  console.log(
    `events: ${run.length} of ${reference.length} equal (${faces} faces; frame, person, event and label identical; ` +
      `boxes within ${box} px, confidence within ${confidence} points)`,
  );
  return true;
}

function predictions(path) {
  return new Map(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .map((p) => [p.id, p.probabilities]),
  );
}

const argmax = (values) => values.indexOf(Math.max(...values));

function compareOutputs(referencePath, runPath, tolerance) {
  const reference = predictions(referencePath);
  const run = predictions(runPath);
  let worst = 0;
  let sameTop = 0;
  let missing = 0;
  for (const [id, a] of reference) {
    const b = run.get(id);
    if (!b || b.length !== a.length) {
      missing++;
      continue;
    }
    worst = Math.max(worst, ...a.map((v, k) => Math.abs(v - b[k])));
    if (argmax(a) === argmax(b)) sameTop++;
  }
  const ok = reference.size > 0 && missing === 0 && run.size === reference.size && worst <= tolerance && sameTop === reference.size;
  console.log(
    `outputs: ${reference.size} faces, max |dp| ${worst.toFixed(6)} (tolerance ${tolerance}), same top-1 class ${sameTop}/${reference.size}` +
      (missing ? `, ${missing} missing on arm64` : '') +
      (ok ? '' : ': DISAGREE'),
  );
  return ok;
}

// The fourth argument: the frame limit for events, the tolerance for outputs.
const [mode, referencePath, runPath, fourth] = process.argv.slice(2);
let ok;
if (mode === 'events' && runPath) ok = compareEvents(referencePath, runPath, fourth === undefined ? undefined : Number(fourth));
else if (mode === 'outputs' && fourth) ok = compareOutputs(referencePath, runPath, Number(fourth));
else {
  console.error('usage: verify-compare.mjs events <x86-64 log> <arm64 log> | outputs <x86-64 jsonl> <arm64 jsonl> <max |dp|>');
  process.exit(2);
}
process.exit(ok ? 0 : 1);
