import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { EMOTION_LABELS, type EmotionLabel } from '../sdk/types.js';
import { ConfigError } from '../core/errors.js';

/** Where a labelled face's pixels come from: an image file, or grayscale pixels given inline (fer2013.csv rows). */
export type SampleImage = { kind: 'file'; path: string } | { kind: 'gray'; pixels: Uint8Array; width: number; height: number };

export interface LabelledSample {
  /** File name or `<csv>:<row>`: enough to find the sample again. */
  id: string;
  /** FER2013 index (EMOTION_LABELS). */
  label: number;
  image: SampleImage;
}

export interface DatasetOptions {
  /** fer2013.csv only: keep rows whose Usage column equals this (Training, PublicTest, PrivateTest). */
  usage?: string;
  /** Keep at most this many samples per class (the first ones, in file-name or row order). */
  perClass?: number;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.pgm', '.webp']);
const FER2013_SIDE = 48;

/** Reads labelled faces from a Kaggle-layout folder (<class>/<image>) or the original fer2013.csv. */
export async function readDataset(path: string, options: DatasetOptions = {}): Promise<LabelledSample[]> {
  if (!existsSync(path)) throw new ConfigError(`--data ${path} does not exist`);
  const samples = statSync(path).isDirectory() ? readClassFolders(path) : await readFer2013Csv(path, options.usage);
  const kept = options.perClass === undefined ? samples : keepPerClass(samples, options.perClass);
  if (kept.length === 0) throw new ConfigError(`--data ${path} holds no labelled faces${options.usage ? ` with Usage ${options.usage}` : ''}`);
  return kept;
}

function keepPerClass(samples: LabelledSample[], perClass: number): LabelledSample[] {
  const taken = new Array<number>(EMOTION_LABELS.length).fill(0);
  return samples.filter((s) => taken[s.label]!++ < perClass);
}

function readClassFolders(root: string): LabelledSample[] {
  const folders = readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  const unknown = folders.map((f) => f.name).filter((name) => !EMOTION_LABELS.includes(name as EmotionLabel));
  if (unknown.length > 0) {
    throw new ConfigError(`--data ${root}: unknown class folder(s) ${unknown.join(', ')}; expected ${EMOTION_LABELS.join(', ')}`);
  }
  return folders
    .map((f) => f.name)
    .sort((a, b) => EMOTION_LABELS.indexOf(a as EmotionLabel) - EMOTION_LABELS.indexOf(b as EmotionLabel))
    .flatMap((name) =>
      readdirSync(join(root, name))
        .filter((file) => IMAGE_EXTENSIONS.has(extname(file).toLowerCase()))
        .sort()
        .map((file) => ({
          id: `${name}/${file}`,
          label: EMOTION_LABELS.indexOf(name as EmotionLabel),
          image: { kind: 'file', path: join(root, name, file) } as const,
        })),
    );
}

/** The original challenge file: a header naming `emotion`, `pixels` and `Usage`, then one 48x48 face per row. */
async function readFer2013Csv(path: string, usage: string | undefined): Promise<LabelledSample[]> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const samples: LabelledSample[] = [];
  let columns: { emotion: number; pixels: number; usage: number } | undefined;
  let row = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const cells = line.split(',').map((cell) => cell.trim());
    if (!columns) {
      columns = csvColumns(path, cells);
      continue;
    }
    row++;
    if (usage !== undefined && cells[columns.usage] !== usage) continue;
    samples.push(parseCsvRow(path, row, cells, columns));
  }
  if (!columns) throw new ConfigError(`--data ${path} is empty`);
  return samples;
}

function csvColumns(path: string, header: string[]): { emotion: number; pixels: number; usage: number } {
  const emotion = header.indexOf('emotion');
  const pixels = header.indexOf('pixels');
  const usage = header.findIndex((name) => name.toLowerCase() === 'usage');
  if (emotion < 0 || pixels < 0) {
    throw new ConfigError(`--data ${path}: not a fer2013.csv (header needs emotion and pixels columns, got: ${header.join(',')})`);
  }
  return { emotion, pixels, usage };
}

function parseCsvRow(path: string, row: number, cells: string[], columns: { emotion: number; pixels: number }): LabelledSample {
  const label = Number(cells[columns.emotion]);
  if (!Number.isInteger(label) || label < 0 || label >= EMOTION_LABELS.length) {
    throw new ConfigError(`--data ${path} row ${row}: emotion must be 0..${EMOTION_LABELS.length - 1}, got "${cells[columns.emotion]}"`);
  }
  const values = (cells[columns.pixels] ?? '').split(/\s+/).map(Number);
  if (values.length !== FER2013_SIDE * FER2013_SIDE || values.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) {
    throw new ConfigError(`--data ${path} row ${row}: pixels must be ${FER2013_SIDE * FER2013_SIDE} integers 0..255`);
  }
  return {
    id: `${path}:${row}`,
    label,
    image: { kind: 'gray', pixels: Uint8Array.from(values), width: FER2013_SIDE, height: FER2013_SIDE },
  };
}
