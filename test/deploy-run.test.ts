import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalHost } from '../src/deploy/local-host.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { deployWith, makeModelsDir, writeServiceCommand } from './helpers/deploy-fixtures.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// The real service behind the health check: `fer-edge run` started on the deployed config, as systemd would.
const skip = skipUnlessShared(PEER_MODEL) || skipUnlessShared(CLIP);
let work: string;
let root: string;
let serviceCommand: string;

before(() => {
  work = makeTempDir('fer-edge-deploy-run-');
  root = join(work, 'robot');
  // What the unit's ExecStart does, without systemd: fer-edge run --config <root>/current/config.yaml.
  serviceCommand = writeServiceCommand(
    work,
    `cd "${repoRoot}"
FER_EDGE_LOG_LEVEL=warn nohup "${process.execPath}" --import tsx src/cli/main.ts run --config "$root/current/config.yaml" \\
  </dev/null >"$root/state/service.log" 2>&1 &`,
  );
});

after(() => {
  if (serviceCommand) execFileSync(serviceCommand, ['stop', root]);
  removeTempDir(work);
});

test('deploy --target jetson: fer-edge run starts on the deployed config and reports healthy', { skip }, async () => {
  const userConfig = join(work, 'robot.yaml');
  writeFileSync(userConfig, `source:\n  type: opencv\n  file: ${clipPath}\n  loop: true\nmqtt: false\nhealth:\n  intervalSec: 1\n`);
  const host = new LocalHost(root);
  const request = {
    root,
    targetsDir: join(repoRoot, 'targets'),
    ferEdgeVersion: '0.0.0-test',
    target: 'jetson',
    modelsDir: makeModelsDir(join(work, 'models')),
    configPath: userConfig,
  };
  const version = await deployWith(host, request, { healthTimeoutSeconds: 15, serviceCommand });
  assert.equal(readlinkSync(join(root, 'current')), `releases/${version}`);
  const health = JSON.parse(readFileSync(join(root, 'state', 'health.json'), 'utf8')) as { status: string; pid: number };
  assert.equal(health.status, 'online');
  assert.equal(String(health.pid), readFileSync(join(root, 'state', 'service.pid'), 'utf8').trim());
});
