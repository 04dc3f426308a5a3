import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installBundle, type InstallOptions } from '../src/deploy/deploy.js';
import { BUSY_EXIT_CODE } from '../src/deploy/deploy-error.js';
import { prepareBundle, type BundleRequest, type PreparedBundle } from '../src/deploy/prepare-bundle.js';
import { SshHost, type SshOptions } from '../src/deploy/ssh-host.js';
import { deployWith, sshDeployFixture } from './helpers/deploy-fixtures.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { processes, waitFor } from './helpers/process-tree.js';
import { skipUnlessShared } from './helpers/shared.js';
import type { TestSshd } from './helpers/sshd.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// Deploys that are cut off, run twice at once, or meet a full disk, over a real sshd; the "robot" is a directory.
const skip = skipUnlessShared(PEER_MODEL);
let sshd: TestSshd;
let work: string;
let root: string;
let ssh: SshOptions;
let service: InstallOptions;
let configs: { good: string; bad: string };
let request: (extra: Partial<BundleRequest>) => BundleRequest;
const hosts: SshHost[] = [];
const mounts: string[] = [];

function robot(options: Partial<SshOptions> = {}, at = root): SshHost {
  const host = new SshHost({ ...ssh, ...options }, at);
  hosts.push(host);
  return host;
}

before(async () => {
  ({ sshd, work, root, ssh, configs, service, request } = await sshDeployFixture('fer-edge-deploy-faults-', !skip));
});

after(async () => {
  for (const host of hosts) await host.close();
  for (const dir of [root, ...mounts]) if (service?.serviceCommand) execFileSync(service.serviceCommand, ['stop', dir]);
  for (const mount of mounts) execFileSync('umount', [mount]);
  await sshd?.stop();
  removeTempDir(work);
});

const current = (at = root) => readlinkSync(join(at, 'current')).replace('releases/', '');
const history = () => readFileSync(join(root, 'history'), 'utf8').trim().split('\n');

/** Nothing an interrupted deploy may leave behind: no lock, no upload, no staging directory. */
function assertNoDebris(at = root): void {
  assert.ok(!existsSync(join(at, '.lock')), 'lock left');
  assert.deepEqual(readdirSync(join(at, 'incoming')), [], 'uploads left');
  assert.deepEqual(readdirSync(join(at, 'releases')).filter((name) => name.startsWith('.')), [], 'staging left');
}

/** The installer running on the "robot" for `at` (sh -s -- install ... <at> ...). */
const remoteInstaller = (at: string) => () =>
  processes().find((p) => p.comm === 'sh' && p.args.includes('-s') && p.args.includes('install') && p.args.includes(at));

async function bundle(extra: Partial<BundleRequest> = {}): Promise<PreparedBundle> {
  const prepared = await prepareBundle(request(extra));
  await new Promise((resolve) => setTimeout(resolve, 5)); // versions are stamped to the millisecond
  return prepared;
}

test('a first deploy comes up healthy', { skip }, async () => {
  await deployWith(robot(), request({}), service);
  assertNoDebris();
});

test('the link cut mid-copy leaves no partial upload, and the next deploy succeeds', { skip }, async () => {
  // A relay that passes the client's bytes on at 60 KB/s, so the copy is still running when ssh is killed.
  const relay = join(work, 'slow-relay.mjs');
  writeFileSync(
    relay,
    `import { connect } from 'node:net';
const socket = connect(Number(process.argv[3]), process.argv[2]);
socket.pipe(process.stdout);
process.stdin.on('data', (chunk) => {
  process.stdin.pause();
  socket.write(chunk, () => setTimeout(() => process.stdin.resume(), (chunk.length / 60_000) * 1000));
});
process.stdin.on('end', () => socket.end());
socket.on('close', () => process.exit(0));
`,
  );
  const before = current();
  const prepared = await bundle();
  try {
    assert.ok(statSync(prepared.bundle.path).size > 120_000, 'a bundle big enough to take a while');
    const slow = robot({ options: [...ssh.options!, `ProxyCommand=${process.execPath} ${relay} %h %p`] });
    const deploying = installBundle(slow, prepared.bundle, prepared.installer, service);
    const partial = () => readdirSync(join(root, 'incoming')).find((name) => name.includes('.part.') && statSync(join(root, 'incoming', name)).size > 0);
    await waitFor('a partial upload', partial);
    // The relay is the link: killing it drops the connection under ssh, as a lost Wi-Fi would.
    process.kill((await waitFor('the relay', () => processes().find((p) => p.args.includes(relay)))).pid, 'SIGKILL');
    await assert.rejects(deploying, { name: 'DeployError' });
    await waitFor('the receiver to remove its part', () => (readdirSync(join(root, 'incoming')).length === 0 ? true : undefined), 5000);
    assertNoDebris();
    assert.equal(current(), before);
  } finally {
    prepared.dispose();
  }
  const version = await deployWith(robot(), request({}), service);
  assert.equal(current(), version);
});

test('the installer killed outright mid-install leaves a stale lock, which the next deploy breaks', { skip }, async () => {
  const healthy = current();
  const bad = await bundle({ configPath: configs.bad });
  try {
    const deploying = installBundle(robot(), bad.bundle, bad.installer, service);
    await waitFor('the health check to start', () => (existsSync(join(root, 'state', '.restarted')) && current() === bad.bundle.info.version ? true : undefined));
    const installer = await waitFor('the installer', remoteInstaller(root));
    process.kill(installer.pid, 'SIGKILL');
    await assert.rejects(deploying);
    assert.ok(existsSync(join(root, '.lock')), 'SIGKILL leaves the lock');
    assert.equal(current(), bad.bundle.info.version, 'and the unconfirmed release current');
  } finally {
    bad.dispose();
  }
  const version = await deployWith(robot(), request({}), service);
  assert.equal(current(), version);
  assert.deepEqual(history().slice(-2), [healthy, version], 'the unconfirmed release never entered the history');
  assertNoDebris();
});

test('the installer interrupted (SIGTERM) mid-install switches back to the healthy release and unlocks', { skip }, async () => {
  const healthy = current();
  const bad = await bundle({ configPath: configs.bad });
  try {
    const deploying = installBundle(robot(), bad.bundle, bad.installer, service);
    await waitFor('the health check to start', () => (existsSync(join(root, 'state', '.restarted')) && current() === bad.bundle.info.version ? true : undefined));
    process.kill((await waitFor('the installer', remoteInstaller(root))).pid, 'SIGTERM');
    await assert.rejects(deploying, { message: `${sshd.host}:${root}: interrupted (SIGTERM) while checking release ${bad.bundle.info.version}: switched back to ${healthy}` });
  } finally {
    bad.dispose();
  }
  assert.equal(current(), healthy);
  assertNoDebris();
  const version = await deployWith(robot(), request({}), service);
  assert.equal(current(), version);
});

test('two deploys at once: one installs, the other is refused with one line and the busy exit code', { skip }, async () => {
  const [a, b] = [await bundle(), await bundle()];
  try {
    const results = await Promise.allSettled([a, b].map((p) => installBundle(robot(), p.bundle, p.installer, service)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, JSON.stringify(results));
    assert.equal(refused.length, 1);
    const error = refused[0]!.reason as { name: string; message: string; exitCode: number };
    assert.equal(error.name, 'DeployError');
    assert.match(error.message, new RegExp(`^${sshd.host}:${root}: another install is running on ${root} \\(install pid \\d+, started \\d+s ago\\) \\(remove ${root}/.lock if it is stale\\)$`));
    assert.equal(error.exitCode, BUSY_EXIT_CODE);
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    assert.equal(current(), winner.bundle.info.version);
  } finally {
    a.dispose();
    b.dispose();
  }
  assertNoDebris();
});

/** A deploy root on its own small file system (a tmpfs of `sizeKb`). */
function smallDisk(name: string, sizeKb: number): string {
  const dir = join(work, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

function canMount(): string | false {
  try {
    const probe = makeTempDir('fer-edge-mount-probe-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    removeTempDir(probe);
    return false;
  } catch {
    return 'needs to mount a tmpfs (root)';
  }
}

test('a full disk: the copy or the unpacking is refused with the space it needs, and nothing is left over', { skip: skip || canMount() }, async () => {
  const disk = smallDisk('small-robot', 2048);
  const prepared = await prepareBundle(request({ root: disk }));
  try {
    const size = statSync(prepared.bundle.path).size;
    const fill = (free: number) => {
      rmSync(join(disk, 'filler'), { force: true });
      const { bavail, bsize } = statfsSync(disk);
      writeFileSync(join(disk, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - free)));
    };
    const host = robot({}, disk);
    fill(size / 2);
    await assert.rejects(installBundle(host, prepared.bundle, prepared.installer, service), {
      message: new RegExp(`^no space left on ${sshd.host}:${disk}/incoming \\(needs ${(size / 1048576).toFixed(1)} MB, 0\\.\\d MB free\\)$`),
    });
    assert.deepEqual(readdirSync(join(disk, 'incoming')), []);
    fill(size + 64 * 1024);
    await assert.rejects(installBundle(host, prepared.bundle, prepared.installer, service), {
      message: new RegExp(`^${sshd.host}:${disk}: no space left on ${disk}/releases \\(needs \\d+\\.\\d MB, \\d+\\.\\d MB free\\); nothing changed$`),
    });
    assertNoDebris(disk);
    rmSync(join(disk, 'filler'));
    await installBundle(host, prepared.bundle, prepared.installer, service);
    assert.equal(current(disk), prepared.bundle.info.version);
    assertNoDebris(disk);
  } finally {
    prepared.dispose();
  }
});

test('secrets: refused in the bundled config; --env-file installed beside the release, mode 600, never in the bundle', { skip }, async () => {
  const withPassword = join(work, 'password.yaml');
  writeFileSync(withPassword, readFileSync(configs.good, 'utf8') + 'mqtt:\n  url: mqtt://broker.local:1883\n  password: s3cret\n');
  await assert.rejects(prepareBundle(request({ configPath: withPassword })), {
    name: 'ConfigError',
    message: /^run configuration for rpi-cpu: mqtt\.password is a secret and would be copied into the bundle: remove it and set FER_EDGE_MQTT_PASSWORD in an environment file and deploy it with --env-file <file>/,
  });
  const envFile = join(work, 'robot.env');
  writeFileSync(envFile, 'FER_EDGE_MQTT_PASSWORD=s3cret-value\n');
  const prepared = await prepareBundle(request({}));
  try {
    await installBundle(robot(), prepared.bundle, prepared.installer, { ...service, envFile });
    // With a service command (no systemd) the file goes to <root>/env; under systemd to /etc/fer-edge/env.
    assert.equal(readFileSync(join(root, 'env'), 'utf8'), 'FER_EDGE_MQTT_PASSWORD=s3cret-value\n');
    assert.equal(statSync(join(root, 'env')).mode & 0o777, 0o600);
    assert.ok(!execFileSync('tar', ['-xzOf', prepared.bundle.path], { encoding: 'latin1' }).includes('s3cret-value'));
    assertNoDebris();
  } finally {
    prepared.dispose();
  }
});
