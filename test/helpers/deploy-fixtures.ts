import { copyFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot, sharedPath } from './shared.js';

const LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];

function writeManifest(modelPath: string, name: string, format: 'onnx' | 'tflite', precision: string): void {
  const manifest = {
    schema: 'fer-edge/model@1',
    name,
    format,
    precision,
    sha256: createHash('sha256').update(readFileSync(modelPath)).digest('hex'),
    labels: LABELS,
    input: { name: 'input', layout: 'NCHW', height: 64, width: 64, channels: 1, color: 'gray', mean: [0.5], std: [0.5], dtype: 'float32' },
    output: { name: 'probabilities', kind: 'probabilities' },
    temperature: 1,
  };
  writeFileSync(modelPath.replace(/\.[^.]+$/, '.json'), JSON.stringify(manifest, null, 2));
}

/**
 * A models directory with one model per target format, as deploy looks them up by manifest. The files are real
 * models (the mini-Xception ONNX from ../shared, a TFLite file shipped with @mediapipe/face_detection) and the manifests
 * are written here: deploy checks manifests and checksums, not the weights, which `fer-edge run` loads on the robot.
 */
export function makeModelsDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const onnx = sharedPath('peers', 'mini_xception_fer2013.onnx');
  const tflite = join(repoRoot, 'node_modules', '@mediapipe', 'face_detection', 'face_detection_short_range.tflite');
  const files: [string, string, 'onnx' | 'tflite', string][] = [
    [onnx, 'fixture.int8-qdq.onnx', 'onnx', 'int8'],
    [onnx, 'fixture.fp16.onnx', 'onnx', 'fp16'],
    [tflite, 'fixture.int8.tflite', 'tflite', 'int8'],
    [tflite, 'fixture-edgetpu.int8.tflite', 'tflite', 'int8'],
  ];
  for (const [source, file, format, precision] of files) {
    copyFileSync(source, join(dir, file));
    writeManifest(join(dir, file), file.split('.')[0]!, format, precision);
  }
  return dir;
}

/**
 * What systemd does on a robot, for a host without it: `<script> restart|stop <root>` stops the previous process
 * and starts a new one in the background. The process writes the health file while the release's configured
 * source file exists, the way `fer-edge run` comes up only when it can open its source; otherwise it runs
 * without ever reporting healthy.
 */
export function writeServiceCommand(dir: string): string {
  const path = join(dir, 'service-command.sh');
  writeFileSync(
    path,
    `#!/bin/sh
action=$1 root=$2
pidfile=$root/state/service.pid
if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi
[ "$action" = restart ] || exit 0
mkdir -p "$root/state"
source=$(sed -n 's/^  file: //p' "$root/current/config.yaml")
if [ -f "$source" ]; then
  sh -c 'while :; do printf "{\\"status\\": \\"online\\", \\"ts\\": %s}\\n" "$(date +%s)" >"$1.tmp" && mv "$1.tmp" "$1"; sleep 0.2; done' \\
    health "$root/state/health.json" </dev/null >/dev/null 2>&1 &
else
  sleep 60 </dev/null >/dev/null 2>&1 &
fi
echo $! >"$pidfile"
`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** Run configurations whose source opens (healthy) or does not (never healthy). */
export function writeConfigs(dir: string): { good: string; bad: string } {
  const good = join(dir, 'good.yaml');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(good, `source:\n  type: opencv\n  file: ${sharedPath('media', 'tears_of_steel_10s_640x360.mp4')}\n`);
  writeFileSync(bad, `source:\n  type: opencv\n  file: ${join(dir, 'missing.mp4')}\n`);
  return { good, bad };
}
