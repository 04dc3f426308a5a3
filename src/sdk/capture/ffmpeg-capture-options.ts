import cv from '../opencv.js';

const VARIABLE = 'OPENCV_FFMPEG_CAPTURE_OPTIONS';

/**
 * FFmpeg's socket timeout for a stream URL, in the `key;value` form OpenCV reads from OPENCV_FFMPEG_CAPTURE_OPTIONS:
 * it bounds connecting and each network read. Without it OpenCV waits 30 s for a server that accepts and never
 * answers, and its open blocks the process (signals included) all that time. Undefined for schemes without one.
 */
export function networkTimeoutOption(url: string, timeoutMs: number): string | undefined {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  const micros = Math.round(timeoutMs * 1000);
  if (['http', 'https', 'tcp', 'tls'].includes(scheme)) return `timeout;${micros}`;
  // FFmpeg 5 renamed RTSP's socket timeout from stimeout to timeout (which FFmpeg 4 reads as "listen for a client").
  if (scheme === 'rtsp' || scheme === 'rtsps') return `${avformatMajor() >= 59 ? 'timeout' : 'stimeout'};${micros}`;
  return undefined;
}

/** Runs `open` with OpenCV's FFmpeg capture options set to `options`, unless the user set the variable. */
export function withCaptureOptions<T>(options: string | undefined, open: () => T): T {
  if (options === undefined || process.env[VARIABLE] !== undefined) return open();
  process.env[VARIABLE] = options;
  try {
    return open();
  } finally {
    delete process.env[VARIABLE];
  }
}

let avformat: number | undefined;

function avformatMajor(): number {
  avformat ??= Number(/avformat:\s*YES \((\d+)\./.exec(cv.getBuildInformation())?.[1] ?? 0);
  return avformat;
}
