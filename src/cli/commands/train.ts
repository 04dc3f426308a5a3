import type { Command } from 'commander';
import { FerEdgeError } from '../../sdk/errors.js';

// Placeholder until the 'train' command lands; its owner replaces this file.
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('(not yet available)')
    .action(() => {
      throw new FerEdgeError('fer-edge train is not available in this build yet');
    });
}
