import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Output files written beside their destinations under temporary names and renamed into place together by
 * `commit()`, so a failed run leaves no half-written model, manifest or report behind.
 */
export class StagedOutputs {
  private readonly staged: { temporary: string; destination: string }[] = [];

  /** Writes `contents` to a temporary file beside `destination`; returns the temporary path (readable before commit). */
  stage(destination: string, contents: Uint8Array | string): string {
    const temporary = join(dirname(destination), `.${basename(destination)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(temporary, contents);
    this.staged.push({ temporary, destination });
    return temporary;
  }

  commit(): string[] {
    for (const { temporary, destination } of this.staged) renameSync(temporary, destination);
    const written = this.staged.map((s) => s.destination);
    this.staged.length = 0;
    return written;
  }

  discard(): void {
    for (const { temporary } of this.staged) rmSync(temporary, { force: true });
    this.staged.length = 0;
  }
}
