import type { Command } from 'commander';
import { FerEdgeError } from '../../sdk/errors.js';

// Placeholder until the 'run' command lands; its owner replaces this file.
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('(not yet available)')
    .action(() => {
      throw new FerEdgeError('fer-edge run is not available in this build yet');
    });
}
