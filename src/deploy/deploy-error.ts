import { FerEdgeError } from '../core/errors.js';

/** A deploy that could not complete; the robot was left on (or put back onto) its working release. */
export class DeployError extends FerEdgeError {}

const INSTALLER_PREFIX = 'fer-edge-install: ';

/** The installer's own one-line reason, or the last line it printed, or its exit code. */
export function installerFailure(stderr: string, exitCode: number | string | undefined, where: string): DeployError {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const own = lines.filter((line) => line.startsWith(INSTALLER_PREFIX)).at(-1);
  if (own) return new DeployError(`${where}: ${own.slice(INSTALLER_PREFIX.length)}`);
  return new DeployError(`${where}: release installer failed (exit ${exitCode ?? '?'})${lines.length ? ': ' + lines.at(-1) : ''}`);
}
