import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';

export interface DirLock {
  release(): void;
}

/**
 * Claims `dir` for this process with a `lock` file holding its pid, so that two processes never share an outbox.
 * A lock left by a process that no longer runs (killed, crashed) is taken over.
 */
export function acquireDirLock(dir: string): DirLock {
  const path = join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(path);
      return {
        release: () => {
          heldHere.delete(path);
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readLock(path), 10);
    // Our own pid in a lock we do not hold: an earlier process that had the same pid (a container's pid 1).
    const held = holder === process.pid ? heldHere.has(path) : Number.isInteger(holder) && isRunning(holder);
    if (held) {
      throw new ConfigError(
        `mqtt.outbox.dir: ${dir} is in use by another publisher (pid ${holder}); give each running service its own deviceId or mqtt.outbox.dir`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new ConfigError(`mqtt.outbox.dir: cannot lock ${dir}`);
}

/** Locks this process holds, by path. */
const heldHere = new Set<string>();

function readLock(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
