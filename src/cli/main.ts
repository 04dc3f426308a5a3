#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { FerEdgeError } from '../core/errors.js';
import { packageVersion } from '../core/package-paths.js';
import { registerRun } from './commands/run.js';
import { registerTrain } from './commands/train.js';
import { registerQuantize } from './commands/quantize.js';
import { registerInspect } from './commands/inspect.js';
import { registerConvert } from './commands/convert.js';
import { registerEval } from './commands/eval.js';
import { registerBench } from './commands/bench.js';
import { registerDeploy } from './commands/deploy.js';
import { installCliLogger, logFormatOption } from './log-format.js';

const program = new Command('fer-edge')
  .description('Facial-emotion recognition for robots: train, quantize, evaluate, benchmark, deploy and run.')
  .version(packageVersion())
  .addOption(logFormatOption)
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (command) => installCliLogger(command.opts<{ logFormat?: string }>().logFormat));

for (const register of [registerRun, registerTrain, registerQuantize, registerInspect, registerConvert, registerEval, registerBench, registerDeploy]) {
  register(program);
}

function fail(message: string, exitCode: number): never {
  process.stderr.write(`fer-edge: ${message}\n`);
  process.exit(exitCode);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors were already printed by commander.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof FerEdgeError) fail(error.message, error.exitCode);
  throw error;
}
