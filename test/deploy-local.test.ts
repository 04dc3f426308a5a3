import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tar from 'tar';
import { listReleases, packagedInstaller, rollbackRelease, type ServiceOptions } from '../src/deploy/deploy.js';
import { LocalHost } from '../src/deploy/local-host.js';
import type { BundleRequest } from '../src/deploy/prepare-bundle.js';
import { sha256File } from '../src/sdk/model/index.js';
import { corruptBundle, deployWith, makeModelsDir, writeConfigs, writeServiceCommand } from './helpers/deploy-fixtures.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// `fer-edge deploy --dest <dir>`: the same installer and layout as on a robot, in a directory of this machine.
const skip = skipUnlessShared(PEER_MODEL);
const targetsDir = join(repoRoot, 'targets');
const installer = packagedInstaller(targetsDir);
let work: string;
let root: string;
let host: LocalHost;
let service: ServiceOptions;
let request: (extra: Partial<BundleRequest>) => BundleRequest;
let configs: { good: string; bad: string };

before(() => {
  work = makeTempDir('fer-edge-deploy-local-');
  root = join(work, 'robot');
  host = new LocalHost(root);
  configs = writeConfigs(work);
  service = { healthTimeoutSeconds: 5, serviceCommand: writeServiceCommand(work) };
  const modelsDir = skip ? work : makeModelsDir(join(work, 'models'));
  request = (extra) => ({ root, targetsDir, ferEdgeVersion: '0.0.0-test', target: 'jetson', modelsDir, configPath: configs.good, ...extra });
});

after(() => {
  for (const dir of [root, join(work, 'fresh-robot')]) if (service?.serviceCommand) execFileSync(service.serviceCommand, ['stop', dir]);
  removeTempDir(work);
});

const current = () => readlinkSync(join(root, 'current'));
const history = () => readFileSync(join(root, 'history'), 'utf8').trim().split('\n');
let first: string;
let second: string;

test('deploy: unpacked into releases/<version>, current switched, service healthy', { skip }, async () => {
  first = await deployWith(host, request({}), service);
  assert.equal(current(), `releases/${first}`);
  assert.match(readFileSync(join(root, 'state', 'health.json'), 'utf8'), /"status":"online"/);
  assert.deepEqual(history(), [first]);
  assert.deepEqual(readdirSync(join(root, 'incoming')), [], 'the uploaded bundle is removed once installed');
  const config = readFileSync(join(root, 'current', 'config.yaml'), 'utf8');
  assert.match(config, new RegExp(`model: ${root}/releases/${first}/model/fixture.int8-qdq.onnx`));
});

test('redeploy: a new release becomes current, the first one is kept for rollback', { skip }, async () => {
  second = await deployWith(host, request({}), service);
  assert.notEqual(second, first);
  assert.equal(current(), `releases/${second}`);
  assert.deepEqual(history(), [first, second]);
  assert.deepEqual(await listReleases(host, installer), [
    { version: first, current: false, healthy: true, failed: false },
    { version: second, current: true, healthy: true, failed: false },
  ]);
});

test('a bundle with a corrupted file is refused before anything is switched', { skip }, async () => {
  const good = join(work, 'good.tar.gz');
  const bad = join(work, 'corrupted.tar.gz');
  await deployWith(host, request({ outPath: good }), service);
  const afterGood = current();
  await corruptBundle(good, bad, work);
  const releasesBefore = readdirSync(join(root, 'releases')).sort();
  await assert.rejects(
    deployWith(host, request({ bundlePath: bad, target: undefined }), service),
    { name: 'DeployError', message: `${root}: bundle refused: checksum mismatch in model/fixture.int8-qdq.onnx; nothing changed` },
  );
  assert.equal(current(), afterGood);
  assert.deepEqual(readdirSync(join(root, 'releases')).sort(), releasesBefore, 'no release and no staging directory left');
  assert.ok(!existsSync(join(root, '.lock')));
});

test('a bundle that smuggles in a link is refused', { skip }, async () => {
  const before = current();
  const unpacked = mkdtempSync(join(work, 'link-'));
  await tar.extract({ file: join(work, 'good.tar.gz'), cwd: unpacked });
  symlinkSync('../config.yaml', join(unpacked, 'model', 'extra'));
  const linked = join(work, 'linked.tar.gz');
  await tar.create({ gzip: true, file: linked, cwd: unpacked, portable: true }, readdirSync(unpacked));
  await assert.rejects(deployWith(host, request({ bundlePath: linked, target: undefined }), service), {
    message: `${root}: bundle refused: it holds links or special files; nothing changed`,
  });
  assert.equal(current(), before);
});

test('the same bundle installed again reuses its release and stays current', { skip }, async () => {
  const bundle = join(work, 'good.tar.gz');
  const version = current().replace('releases/', '');
  await deployWith(host, request({ bundlePath: bundle, target: undefined }), service);
  assert.equal(current(), `releases/${version}`);
  assert.equal(history().at(-1), version);
});

test('a second install while one is running is refused', { skip }, async () => {
  mkdirSync(join(root, '.lock'));
  try {
    await assert.rejects(deployWith(host, request({}), service), {
      message: `${root}: another install is running on ${root} (remove ${root}/.lock if it is stale)`,
    });
  } finally {
    rmSync(join(root, '.lock'), { recursive: true });
  }
});

test('a bundle damaged in transfer (archive sha256 differs) is refused', { skip }, async () => {
  const before = current();
  const bundle = join(work, 'good.tar.gz');
  const actual = await sha256File(bundle);
  await assert.rejects(host.runScript(installer, ['install', root, bundle, '0'.repeat(64), '5', service.serviceCommand!]), {
    message: `${root}: bundle refused: sha256 is ${actual}, expected ${'0'.repeat(64)} (damaged in transfer?); nothing changed`,
  });
  assert.equal(current(), before);
});

test('a release that never reports healthy is rolled back to the previous one, which comes back up', { skip }, async () => {
  const before = current();
  const healthyHistory = history();
  await assert.rejects(
    deployWith(host, request({ configPath: configs.bad }), service),
    new RegExp(`did not report healthy within 5s: rolled back to ${before.replace('releases/', '')} \\(healthy\\)$`),
  );
  assert.equal(current(), before);
  assert.deepEqual(history(), healthyHistory);
  const failed = (await listReleases(host, installer)).filter((r) => r.failed);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.current, false);
});

test('--rollback goes back one healthy release at a time', { skip }, async () => {
  const [, , third] = history();
  assert.ok(third, 'three healthy releases so far');
  await rollbackRelease(host, installer, service);
  assert.equal(current(), `releases/${second}`);
  await rollbackRelease(host, installer, service);
  assert.equal(current(), `releases/${first}`);
  await assert.rejects(rollbackRelease(host, installer, service), /no earlier healthy release to roll back to/);
  assert.equal(current(), `releases/${first}`);
});

test('a first deploy that never becomes healthy leaves no current release and the service stopped', { skip }, async () => {
  const fresh = new LocalHost(join(work, 'fresh-robot'));
  await assert.rejects(
    deployWith(fresh, request({ root: fresh.root, configPath: configs.bad }), service),
    /did not report healthy within 5s and there is no previous release: service stopped$/,
  );
  assert.ok(!existsSync(join(fresh.root, 'current')));
  assert.ok(!existsSync(join(fresh.root, 'state', 'service.pid')));
});
