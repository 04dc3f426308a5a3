import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installerFailure } from './deploy-error.js';
import type { ReleaseHost } from './release-host.js';

const run = promisify(execFile);

/** Releases in a directory of this machine: the same installer and layout as on a robot, without SSH. */
export class LocalHost implements ReleaseHost {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = root;
  }

  async upload(files: { localPath: string; name: string }[]): Promise<string[]> {
    const incoming = join(this.root, 'incoming');
    mkdirSync(incoming, { recursive: true });
    return files.map(({ localPath, name }) => {
      const target = join(incoming, name);
      copyFileSync(localPath, target);
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
