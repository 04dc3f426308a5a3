import type { Command } from 'commander';
import { FerEdgeError } from '../../sdk/errors.js';

// Placeholder until the 'bench' command lands; its owner replaces this file.
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('(not yet available)')
    .action(() => {
      throw new FerEdgeError('fer-edge bench is not available in this build yet');
    });
}
