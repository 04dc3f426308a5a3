import { statSync } from 'node:fs';
import type { SourceConfigInput } from './index.js';

/**
 * Turns a `--source` value into a source configuration:
 * a number or /dev/videoN -> camera; scheme://... -> stream URL; text with `!` -> GStreamer pipeline;
 * `fswebcam:<device>` -> fswebcam stills; a directory -> image folder; anything else -> video file.
 */
export function parseSourceArg(arg: string): SourceConfigInput {
  const value = arg.trim();
  if (/^\d+$/.test(value)) return { type: 'opencv', device: Number(value) };
  if (/^\/dev\/video\d+$/.test(value)) return { type: 'opencv', device: value };
  if (value.startsWith('fswebcam:')) return { type: 'webcam-still', device: value.slice('fswebcam:'.length) || '/dev/video0' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { type: 'opencv', url: value };
  if (value.includes('!')) return { type: 'opencv', gstreamer: value };
  if (isDirectory(value)) return { type: 'images', dir: value };
  return { type: 'opencv', file: value };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
