import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installerFailure, noSpace } from './deploy-error.js';
import type { ReleaseHost } from './release-host.js';

const run = promisify(execFile);

/** Releases in a directory of this machine: the same installer and layout as on a robot, without SSH. */
export class LocalHost implements ReleaseHost {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = root;
  }

  /** Copied under a temporary name and renamed when complete, as over SSH; a copy that cannot fit is refused. */
  async upload(files: { localPath: string; name: string }[]): Promise<string[]> {
    const incoming = join(this.root, 'incoming');
    mkdirSync(incoming, { recursive: true });
    return files.map(({ localPath, name }) => {
      const target = join(incoming, name);
      const part = join(incoming, `.${name}.part.${process.pid}`);
      const size = statSync(localPath).size;
      const { bavail, bsize } = statfsSync(incoming);
      if (bavail * bsize < size) throw noSpace(incoming, size, bavail * bsize);
      try {
        copyFileSync(localPath, part);
        chmodSync(part, 0o600);
        renameSync(part, target);
      } catch (error) {
        rmSync(part, { force: true });
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw noSpace(incoming, size, statfsSync(incoming).bavail * bsize);
        throw error;
      }
      return target;
    });
  }

  async runScript(scriptPath: string, args: string[]): Promise<string> {
    try {
      const { stdout } = await run('sh', [scriptPath, ...args]);
      return stdout;
    } catch (error) {
      const failure = error as { stderr?: string; code?: number | string };
      throw installerFailure(failure.stderr ?? '', failure.code, this.description);
    }
  }

  async close(): Promise<void> {}
}
