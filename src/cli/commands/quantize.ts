import type { Command } from 'commander';
import { FerEdgeError } from '../../sdk/errors.js';

// Placeholder until the 'quantize' command lands; its owner replaces this file.
export function registerQuantize(program: Command): void {
  program
    .command('quantize')
    .description('(not yet available)')
    .action(() => {
      throw new FerEdgeError('fer-edge quantize is not available in this build yet');
    });
}
