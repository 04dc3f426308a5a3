import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const EDGETPU_LIBRARY = 'libedgetpu.so.1';

const MULTIARCH_TRIPLETS = ['x86_64-linux-gnu', 'aarch64-linux-gnu', 'arm-linux-gnueabihf'];

/** Directories searched for the Edge TPU runtime, in the dynamic loader's spirit. */
export function edgeTpuSearchDirectories(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const system = ['/usr/lib', ...MULTIARCH_TRIPLETS.map((triplet) => `/usr/lib/${triplet}`), '/usr/local/lib', '/lib'];
  return [...new Set([...fromEnv, ...system])];
}

/**
 * The path of libedgetpu.so.1, or undefined. Loading the Edge TPU delegate without it crashes the process inside the
 * TFLite runtime, so the back end checks here first.
 */
export function findEdgeTpuLibrary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of edgeTpuSearchDirectories(env)) {
    const candidate = join(dir, EDGETPU_LIBRARY);
    if (existsSync(candidate)) return candidate;
  }
  return fromLdconfigCache();
}

function fromLdconfigCache(): string | undefined {
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    if (!existsSync(ldconfig)) continue;
    try {
      const cache = execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const line = cache.split('\n').find((entry) => entry.trim().startsWith(EDGETPU_LIBRARY + ' '));
      const path = line?.split('=>')[1]?.trim();
      if (path && existsSync(path)) return path;
    } catch {
      // no cache to read: treat as absent
    }
  }
  return undefined;
}
