import type { Command } from 'commander';
import { FerEdgeError } from '../../sdk/errors.js';

// Placeholder until the 'eval' command lands; its owner replaces this file.
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('(not yet available)')
    .action(() => {
      throw new FerEdgeError('fer-edge eval is not available in this build yet');
    });
}
