import { FerEdgeError } from '../core/errors.js';

/** A deploy that could not complete; the robot was left on (or put back onto) its working release. */
export class DeployError extends FerEdgeError {}

/** Exit status of `fer-edge deploy` when another deploy holds the robot (EX_TEMPFAIL: try again later). */
export const BUSY_EXIT_CODE = 75;

/** The installer's exit code when another install holds the lock. */
const INSTALLER_BUSY = 6;

const megabytes = (bytes: number): string => (bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0);

/** A copy that would not fit: `no space left on robot:/opt/fer-edge/incoming (needs 3.2 MB, 1.0 MB free)`. */
export function noSpace(where: string, needs: number, free: number): DeployError {
  return new DeployError(`no space left on ${where} (needs ${megabytes(needs)} MB, ${megabytes(free)} MB free)`);
}

const INSTALLER_PREFIX = 'fer-edge-install: ';

/** The installer's own one-line reason, or the last line it printed, or its exit code. */
export function installerFailure(stderr: string, exitCode: number | string | undefined, where: string): DeployError {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const own = lines.filter((line) => line.startsWith(INSTALLER_PREFIX)).at(-1);
  if (own) return new DeployError(`${where}: ${own.slice(INSTALLER_PREFIX.length)}`, Number(exitCode) === INSTALLER_BUSY ? BUSY_EXIT_CODE : 1);
  return new DeployError(`${where}: release installer failed (exit ${exitCode ?? '?'})${lines.length ? ': ' + lines.at(-1) : ''}`);
}
