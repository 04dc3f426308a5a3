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
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readLock(path), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
      throw new ConfigError(
        `mqtt.outbox.dir: ${dir} is in use by another process (pid ${holder}); give each running service its own deviceId or mqtt.outbox.dir`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new ConfigError(`mqtt.outbox.dir: cannot lock ${dir}`);
}

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
