import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listReleases, packagedInstaller, type ServiceOptions } from '../src/deploy/deploy.js';
import { LocalHost } from '../src/deploy/local-host.js';
import type { BundleRequest } from '../src/deploy/prepare-bundle.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { deployWith, makeModelsDir } from './helpers/deploy-fixtures.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { repoRoot, sharedPath, skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// Deploy's health check against the real service: `fer-edge run` on the deployed config, restarted whenever it exits
// (as systemd's Restart= does). A release passes only with two readings 2 s apart from one process with frames
// flowing; one that crash-loops or stalls is rolled back.
const FACE = 'media/grace_hopper_pillow_128.jpg';
const skip = skipUnlessShared(PEER_MODEL) || skipUnlessShared(CLIP) || skipUnlessShared(FACE);
let work: string;
let root: string;
let host: LocalHost;
let service: ServiceOptions;
let request: (config: string) => BundleRequest;

/** A run configuration file; the health file is written every second. */
function config(name: string, body: string): string {
  const path = join(work, `${name}.yaml`);
  writeFileSync(path, `${body}mqtt: false\nhealth:\n  intervalSec: 1\n`);
  return path;
}

before(() => {
  work = makeTempDir('fer-edge-deploy-health-');
  root = join(work, 'robot');
  host = new LocalHost(root);
  // The service in its own process group, `fer-edge run` started again 0.3 s after it exits; stop ends the group.
  const serviceCommand = join(work, 'service.sh');
  writeFileSync(
    serviceCommand,
    `#!/bin/sh
action=$1 root=$2
pidfile=$root/state/service.pid
# As systemd's TimeoutStopSec: SIGTERM to the group, SIGKILL after 3 s.
if [ -f "$pidfile" ]; then
  group=$(cat "$pidfile")
  kill -TERM -"$group" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do kill -0 -"$group" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -"$group" 2>/dev/null || true
  rm -f "$pidfile"
fi
[ "$action" = restart ] || exit 0
mkdir -p "$root/state"
cd "${repoRoot}"
setsid sh -c 'while :; do FER_EDGE_LOG_LEVEL=warn "${process.execPath}" --import tsx src/cli/main.ts run --config "$1/current/config.yaml" </dev/null >>"$1/state/service.log" 2>&1; sleep 0.3; done' service "$root" </dev/null >/dev/null 2>&1 &
echo $! >"$pidfile"
`,
  );
  chmodSync(serviceCommand, 0o755);
  service = { healthTimeoutSeconds: 15, serviceCommand };
  const modelsDir = skip ? work : makeModelsDir(join(work, 'models'));
  request = (configPath) => ({ root, targetsDir: join(repoRoot, 'targets'), ferEdgeVersion: '0.0.0-test', target: 'jetson', modelsDir, configPath });
});

after(() => {
  if (service?.serviceCommand) execFileSync(service.serviceCommand, ['stop', root]);
  removeTempDir(work);
});

const current = () => readlinkSync(join(root, 'current')).replace('releases/', '');
let healthy: string;

test('a release whose frames flow passes: same pid, healthy, more frames 2 s later', { skip }, async () => {
  healthy = await deployWith(host, request(config('clip', `source:\n  type: opencv\n  file: ${clipPath}\n  loop: true\n`)), service);
  assert.equal(current(), healthy);
  const health = JSON.parse(readFileSync(join(root, 'state', 'health.json'), 'utf8')) as { healthy: boolean; frames: number };
  assert.equal(health.healthy, true);
  assert.ok(health.frames > 0);
});

test('a release that exits right after starting (crash loop) is rolled back', { skip }, async () => {
  const frames = join(work, 'one-frame');
  mkdirSync(frames);
  copyFileSync(sharedPath(FACE), join(frames, 'face.jpg'));
  // One image and no loop: the pipeline ends at once, the process exits and is started again, and again.
  await assert.rejects(
    deployWith(host, request(config('ends', `source:\n  type: images\n  dir: ${frames}\n`)), service),
    // Which of the two it sees first depends on when the poll (every 0.2 s) falls.
    new RegExp(`(restarted during its health check \\(pid \\d+, then \\d+\\)|stopped being healthy during its health check \\(status offline\\)): rolled back to ${healthy} \\(healthy\\)$`),
  );
  assert.equal(current(), healthy);
  assert.equal((await listReleases(host, packagedInstaller(join(repoRoot, 'targets')))).filter((r) => r.failed).length, 1);
});

test('a release whose source never delivers a frame (stalled) is rolled back', { skip }, async () => {
  // A camera tool that hangs: the process runs, but no frame is ever processed.
  const fswebcam = join(work, 'hanging-fswebcam.sh');
  writeFileSync(fswebcam, '#!/bin/sh\nexec sleep 600\n');
  chmodSync(fswebcam, 0o755);
  await assert.rejects(
    deployWith(host, request(config('stalls', `source:\n  type: webcam-still\n  fswebcam: ${fswebcam}\n  timeoutMs: 600000\n`)), service),
    new RegExp(`(stalled: its frame count stayed at 0 for 15s|did not report healthy within 15s.*): rolled back to ${healthy} \\(healthy\\)$`),
  );
  assert.equal(current(), healthy);
});
