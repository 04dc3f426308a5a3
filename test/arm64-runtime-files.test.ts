import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { edgeTpuSearchDirectories } from '../src/sdk/backends/edgetpu-library.js';
import { nativeBindingDirectory } from '../src/sdk/backends/onnxruntime.js';
import { repoRoot } from './helpers/shared.js';

// The fast, emulation-free half of targets/rpi/verify-arm64.sh: the robot set-up scripts pass shellcheck, and the
// linux-arm64 runtime files the npm packages ship are where fer-edge looks for them on a Pi or a Jetson.

const SCRIPTS = [
  'targets/rpi/install.sh',
  'targets/jetson/install.sh',
  'targets/setup-common.sh',
  'targets/install-release.sh',
  'targets/rpi/verify-arm64.sh',
  'scripts/build-xnnpack-plugin.sh',
];
const noShellcheck = spawnSync('shellcheck', ['--version']).status === 0 ? false : 'shellcheck not installed (apt: shellcheck; scripts/setup.sh installs it)';

/** e_machine of an ELF file: 183 aarch64, 62 x86-64. */
const AARCH64 = 183;

function elfMachine(path: string): number | undefined {
  const header = readFileSync(path).subarray(0, 20);
  if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) return undefined; // 64-bit little-endian ELF
  return header.readUInt16LE(18);
}

function packageDir(name: string): string {
  return dirname(createRequire(join(repoRoot, 'package.json')).resolve(`${name}/package.json`));
}

for (const script of SCRIPTS) {
  test(`${script} passes shellcheck`, { skip: noShellcheck }, () => {
    const result = spawnSync('shellcheck', ['-x', script], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
}

test('the XNNPACK plugin build finds the arm64 TFLite library that tfjs-tflite-node links on a Pi', () => {
  const buildScript = readFileSync(join(repoRoot, 'scripts', 'build-xnnpack-plugin.sh'), 'utf8');
  const arch = /Linux-aarch64\) arch=(\S+) ;;/.exec(buildScript)?.[1];
  assert.equal(arch, 'linux_arm64', 'build-xnnpack-plugin.sh maps Linux-aarch64 to a cc_deps directory');
  const tflite = packageDir('tfjs-tflite-node');
  const library = join(tflite, 'cc_deps', arch, 'libtensorflowlite_c.so');
  assert.equal(elfMachine(library), AARCH64, `${library} is an aarch64 shared library`);
  assert.ok(readFileSync(library).includes('TfLiteXNNPackDelegateCreate'), 'the arm64 TFLite library contains the XNNPACK delegate the plugin calls');
  assert.equal(elfMachine(join(tflite, 'cc_deps', arch, 'libexternal_delegate_obj.so')), AARCH64);
  // The binding compiled at install on the Pi links (and finds at run time, by rpath) that same directory.
  const gyp = readFileSync(join(tflite, 'binding.gyp'), 'utf8');
  assert.ok(gyp.includes(`'OS=="linux" and ARCH=="arm64"'`) && gyp.includes(`cc_deps/${arch}/libtensorflowlite_c.so`));
  assert.ok(gyp.includes(`-Wl,-rpath,\\$$ORIGIN/../../cc_deps/${arch}`));
});

test('onnxruntime-node ships its linux-arm64 binding and runtime where the back end looks for providers', () => {
  const dir = nativeBindingDirectory('linux', 'arm64');
  assert.ok(dir, 'onnxruntime-node resolves');
  assert.equal(dir, join(packageDir('onnxruntime-node'), 'bin', 'napi-v6', 'linux', 'arm64'));
  for (const file of ['onnxruntime_binding.node', 'libonnxruntime.so.1']) {
    assert.equal(elfMachine(join(dir, file)), AARCH64, `${file} in ${dir} is aarch64`);
  }
  // The package's loader takes the binding from the same place (process.platform/process.arch).
  const loader = readFileSync(join(packageDir('onnxruntime-node'), 'dist', 'binding.js'), 'utf8');
  assert.match(loader, /bin\/napi-v6\/\$\{process\.platform\}\/\$\{process\.arch\}\/onnxruntime_binding\.node/);
  // CPU only: no TensorRT or CUDA provider library, so the Jetson profile falls back to the CPU EP on arm64.
  assert.equal(existsSync(join(dir, 'libonnxruntime_providers_tensorrt.so')), false);
});

test('the Edge TPU runtime is looked for where libedgetpu1-std installs it on a Pi', () => {
  assert.ok(edgeTpuSearchDirectories({}).includes('/usr/lib/aarch64-linux-gnu'));
  const installer = readFileSync(join(repoRoot, 'targets', 'rpi', 'install.sh'), 'utf8');
  assert.ok(installer.includes('/usr/lib/aarch64-linux-gnu/libedgetpu.so.1'));
});
