import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listReleases, packagedInstaller, type ServiceOptions } from '../src/deploy/deploy.js';
import { prepareBundle, type BundleRequest } from '../src/deploy/prepare-bundle.js';
import { SshHost, type SshOptions } from '../src/deploy/ssh-host.js';
import { corruptBundle, deployWith, sshDeployFixture } from './helpers/deploy-fixtures.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';
import { freePort, type TestSshd } from './helpers/sshd.js';
import { removeTempDir } from './helpers/temp-dir.js';

// `fer-edge deploy --host`: a real OpenSSH server on 127.0.0.1 with throwaway keys; the "robot" is a temp directory.
const skip = skipUnlessShared(PEER_MODEL);
const targetsDir = join(repoRoot, 'targets');
const installer = packagedInstaller(targetsDir);
let sshd: TestSshd;
let work: string;
let root: string;
let ssh: SshOptions;
let service: ServiceOptions;
let configs: { good: string; bad: string };
let request: (extra: Partial<BundleRequest>) => BundleRequest;
const hosts: SshHost[] = [];

function robot(options: Partial<SshOptions> = {}): SshHost {
  const host = new SshHost({ ...ssh, ...options }, root);
  hosts.push(host);
  return host;
}

before(async () => {
  ({ sshd, work, root, ssh, configs, service, request } = await sshDeployFixture('fer-edge-deploy-ssh-', !skip));
});

after(async () => {
  for (const host of hosts) await host.close();
  if (service?.serviceCommand) execFileSync(service.serviceCommand, ['stop', root]);
  await sshd?.stop();
  removeTempDir(work);
});

const current = () => readlinkSync(join(root, 'current'));
let first: string;
let second: string;

test('deploy over SSH, then redeploy: each release unpacked, current switched, healthy', { skip }, async () => {
  const host = robot();
  first = await deployWith(host, request({}), service);
  assert.equal(current(), `releases/${first}`);
  assert.ok(existsSync(join(root, 'releases', first, 'model', 'fixture.int8.tflite')));
  second = await deployWith(host, request({}), service);
  assert.equal(current(), `releases/${second}`);
  assert.match(readFileSync(join(root, 'state', 'health.json'), 'utf8'), /"status":"online"/);
  assert.deepEqual(
    (await listReleases(host, installer)).map((r) => [r.version, r.current, r.healthy]),
    [
      [first, false, true],
      [second, true, true],
    ],
  );
  assert.deepEqual(readdirSync(join(root, 'incoming')), []);
});

test('a corrupted bundle is refused on the robot before anything is switched', { skip }, async () => {
  const good = join(work, 'good.tar.gz');
  const bad = join(work, 'corrupted.tar.gz');
  (await prepareBundle(request({ outPath: good }))).dispose();
  await corruptBundle(good, bad, work);
  const releases = readdirSync(join(root, 'releases')).sort();
  await assert.rejects(deployWith(robot(), request({ bundlePath: bad }), service), {
    name: 'DeployError',
    message: `${sshd.host}:${root}: bundle refused: checksum mismatch in model/fixture.int8.tflite; nothing changed`,
  });
  assert.equal(current(), `releases/${second}`);
  assert.deepEqual(readdirSync(join(root, 'releases')).sort(), releases);
});

test('a release that fails its health check is rolled back over SSH', { skip }, async () => {
  await assert.rejects(deployWith(robot(), request({ configPath: configs.bad }), service), {
    name: 'DeployError',
    message: new RegExp(`did not report healthy within 5s: rolled back to ${second} \\(healthy\\)$`),
  });
  assert.equal(current(), `releases/${second}`);
  const failed = (await listReleases(robot(), installer)).filter((r) => r.failed);
  assert.equal(failed.length, 1);
});

test('a host that refuses the connection gives one clear error and changes nothing', async () => {
  const closedPort = await freePort();
  const host = robot({ port: closedPort });
  await assert.rejects(host.runScript(installer, ['list', root]), {
    name: 'DeployError',
    message: `cannot reach ${sshd.host} port ${closedPort}: ssh: connect to host 127.0.0.1 port ${closedPort}: Connection refused`,
  });
});

test('an unknown host key is refused (strict host key checking, never a prompt)', async () => {
  const emptyKnownHosts = join(work, 'known_hosts_empty');
  writeFileSync(emptyKnownHosts, '');
  const host = robot({ options: [`UserKnownHostsFile=${emptyKnownHosts}`, 'StrictHostKeyChecking=yes'] });
  await assert.rejects(host.runScript(installer, ['list', root]), {
    name: 'DeployError',
    message: `cannot reach ${sshd.host} port ${sshd.port}: Host key verification failed.`,
  });
});
