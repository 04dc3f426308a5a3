import { spawn, spawnSync } from 'node:child_process';
import { FerEdgeError } from '../core/errors.js';
import { packageRoot } from '../core/package-paths.js';

/** The Python with PyTorch: FER_EDGE_PYTHON, else the first of /usr/bin/python3 and python3 that imports torch. */
export function findTorchPython(): string {
  const candidates = process.env.FER_EDGE_PYTHON ? [process.env.FER_EDGE_PYTHON] : ['/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  // The training package's own check prints how to install PyTorch; let the first candidate run into it.
  return candidates[0]!;
}

/**
 * Runs `python -m <module> <args>` from the user's directory with the package's training/ importable, streaming
 * its output (progress bars included). Resolves on exit 0; a non-zero exit becomes a FerEdgeError with that code.
 */
export function runPythonModule(module: string, args: string[]): Promise<void> {
  const python = findTorchPython();
  const root = packageRoot();
  const env = { ...process.env, PYTHONPATH: [root, process.env.PYTHONPATH].filter(Boolean).join(':') };
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', module, ...args], { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', (error) => reject(new FerEdgeError(`cannot start ${python}: ${error.message}`)));
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      if (code === 0) resolve();
      else reject(new FerEdgeError(`${module} ${signal ? `was stopped by ${signal}` : `exited with code ${code}`}`, code ?? 1));
    });
  });
}
