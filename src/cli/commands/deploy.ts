import type { Command } from 'commander';
import { FerEdgeError } from '../../sdk/errors.js';

// Placeholder until the 'deploy' command lands; its owner replaces this file.
export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('(not yet available)')
    .action(() => {
      throw new FerEdgeError('fer-edge deploy is not available in this build yet');
    });
}
