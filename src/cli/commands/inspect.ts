import type { Command } from 'commander';
import { FerEdgeError } from '../../sdk/errors.js';

// Placeholder until the 'inspect' command lands; its owner replaces this file.
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('(not yet available)')
    .action(() => {
      throw new FerEdgeError('fer-edge inspect is not available in this build yet');
    });
}
