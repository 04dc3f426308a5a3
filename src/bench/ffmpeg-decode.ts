import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SourceError } from '../core/errors.js';

const run = promisify(execFile);

export interface DecodeRun {
  frames: number;
  seconds: number;
  fps: number;
}

/**
 * Decode-only speed of a video with ffmpeg (`-benchmark`, frames to the null muxer, audio skipped): the ceiling any
 * pipeline reading the same file can reach. `threads` 0 lets ffmpeg choose.
 */
export async function ffmpegDecode(videoPath: string, threads = 0): Promise<DecodeRun> {
  let stderr: string;
  try {
    ({ stderr } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-benchmark', '-threads', String(threads), '-i', videoPath, '-an', '-f', 'null', '-'], {
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    throw new SourceError(`ffmpeg could not decode ${videoPath}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseFfmpegBenchmark(stderr);
}

/** Reads the last `frame=` count and the `bench: ... rtime=` wall time from ffmpeg's stderr. */
export function parseFfmpegBenchmark(stderr: string): DecodeRun {
  const frames = [...stderr.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1];
  const seconds = /bench:.*rtime=([\d.]+)s/.exec(stderr)?.[1];
  if (frames === undefined || seconds === undefined) throw new SourceError('ffmpeg printed no frame count or benchmark time');
  const result = { frames: Number(frames), seconds: Number(seconds) };
  return { ...result, fps: result.frames / result.seconds };
}
