import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { installBundle, type ServiceOptions } from '../../src/deploy/deploy.js';
import { prepareBundle, type BundleRequest } from '../../src/deploy/prepare-bundle.js';
import type { ReleaseHost } from '../../src/deploy/release-host.js';
import type { SshOptions } from '../../src/deploy/ssh-host.js';
import { PEER_MODEL, peerManifest } from './model-fixtures.js';
import { repoRoot, sharedPath } from './shared.js';
import { startSshd, type TestSshd } from './sshd.js';
import { makeTempDir } from './temp-dir.js';

function writeManifest(modelPath: string, name: string, format: 'onnx' | 'tflite', precision: string, qdqFlavor?: string): void {
  const qdq = qdqFlavor ? { qdq: { flavor: qdqFlavor, activations: '-', weights: '-', bias: '-' } } : {};
  const manifest = { ...peerManifest(readFileSync(modelPath)), name, format, precision, ...qdq };
  writeFileSync(modelPath.replace(/\.[^.]+$/, '.json'), JSON.stringify(manifest, null, 2));
}

/**
 * A models directory with one model per target format, as deploy looks them up by manifest. The files are real
 * models (the mini-Xception ONNX from ../shared, a TFLite file shipped with @mediapipe/face_detection) and the manifests
 * are written here: deploy checks manifests and checksums, not the weights, which `fer-edge run` loads on the robot.
 */
export function makeModelsDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const onnx = sharedPath(PEER_MODEL);
  const tflite = join(repoRoot, 'node_modules', '@mediapipe', 'face_detection', 'face_detection_short_range.tflite');
  const files: [string, string, 'onnx' | 'tflite', string, string?][] = [
    [onnx, 'fixture.int8-qdq.onnx', 'onnx', 'int8'],
    [onnx, 'fixture.int8-qdq-cpu.onnx', 'onnx', 'int8', 'cpu'],
    [onnx, 'fixture.fp16.onnx', 'onnx', 'fp16'],
    [tflite, 'fixture.int8.tflite', 'tflite', 'int8'],
    [tflite, 'fixture-edgetpu.int8.tflite', 'tflite', 'int8'],
  ];
  for (const [source, file, format, precision, qdqFlavor] of files) {
    copyFileSync(source, join(dir, file));
    writeManifest(join(dir, file), file.split('.')[0]!, format, precision, qdqFlavor);
  }
  return dir;
}

/** A stand-in health writer: healthy while the release's configured source file exists, as `fer-edge run` only
 * comes up when it can open its source (a health line as the contract has it, frames counting up); otherwise a process
 * that never reports healthy. */
const HEALTH_WRITER = `source=$(awk '/^source:/ { s = 1; next } /^[^ ]/ { s = 0 } s && $1 == "file:" { print $2 }' "$root/current/config.yaml")
if [ -f "$source" ]; then
  sh -c 'n=0; while :; do n=$((n + 1)); printf "{\\"schema\\":\\"fer-edge/health@1\\",\\"status\\":\\"online\\",\\"healthy\\":true,\\"ts\\":%s,\\"pid\\":%s,\\"frames\\":%s}\\n" "$(date +%s%3N)" "$$" "$n" >"$1.tmp" && mv "$1.tmp" "$1"; sleep 0.2; done' \\
    health "$root/state/health.json" </dev/null >/dev/null 2>&1 &
else
  sleep 60 </dev/null >/dev/null 2>&1 &
fi`;

/**
 * What systemd does on a robot, for a host without it: `<script> restart|stop <root>` stops the previous process
 * and runs `start` (sh, with $root set), which starts the new one in the background. Default: HEALTH_WRITER.
 */
export function writeServiceCommand(dir: string, start: string = HEALTH_WRITER): string {
  const path = join(dir, 'service-command.sh');
  writeFileSync(
    path,
    `#!/bin/sh
action=$1 root=$2
pidfile=$root/state/service.pid
if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi
[ "$action" = restart ] || exit 0
mkdir -p "$root/state"
${start}
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

/** Build a bundle for `request` and install it on `host`, as `fer-edge deploy` does; resolves with the version. */
export async function deployWith(host: ReleaseHost, request: BundleRequest, service: ServiceOptions): Promise<string> {
  const prepared = await prepareBundle(request);
  try {
    await installBundle(host, prepared.bundle, prepared.installer, service);
    return prepared.bundle.info.version;
  } finally {
    prepared.dispose();
  }
}

/** A copy of a bundle with one byte of its model flipped and the archive rebuilt around it (SHA256SUMS unchanged). */
export async function corruptBundle(bundlePath: string, outPath: string, workDir: string): Promise<void> {
  const dir = mkdtempSync(join(workDir, 'corrupt-'));
  await tar.extract({ file: bundlePath, cwd: dir });
  const info = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as { model: { file: string } };
  const model = join(dir, info.model.file);
  const bytes = readFileSync(model);
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(model, bytes);
  await tar.create({ gzip: true, file: outPath, cwd: dir, portable: true }, readdirSync(dir));
}

/** A real sshd on 127.0.0.1 and a "robot" directory to deploy to, with configs, a service command and a bundle request. */
export interface SshDeployFixture {
  sshd: TestSshd;
  work: string;
  root: string;
  ssh: SshOptions;
  configs: { good: string; bad: string };
  service: ServiceOptions;
  request: (extra: Partial<BundleRequest>) => BundleRequest;
}

export async function sshDeployFixture(prefix: string, withModels: boolean): Promise<SshDeployFixture> {
  const sshd = await startSshd();
  const work = makeTempDir(prefix);
  const root = join(work, 'robot');
  const ssh = { host: sshd.host, port: sshd.port, identityFile: sshd.identityFile, options: [`UserKnownHostsFile=${sshd.knownHostsFile}`] };
  const configs = writeConfigs(work);
  const service = { healthTimeoutSeconds: 5, serviceCommand: writeServiceCommand(work) };
  const modelsDir = withModels ? makeModelsDir(join(work, 'models')) : work;
  const targetsDir = join(repoRoot, 'targets');
  const request = (extra: Partial<BundleRequest>): BundleRequest => ({
    root, targetsDir, ferEdgeVersion: '0.0.0-test', target: 'rpi', modelsDir, configPath: configs.good, ...extra,
  });
  return { sshd, work, root, ssh, configs, service, request };
}
