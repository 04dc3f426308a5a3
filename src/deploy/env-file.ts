import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';

/**
 * Checks a file for `deploy --env-file` as systemd's EnvironmentFile= reads it: `KEY=value` lines, blank lines and
 * `#` comments. Problems name the line, never its value (the file holds secrets).
 */
export function checkEnvFile(path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`--env-file: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (!/^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=/.test(trimmed)) {
      throw new ConfigError(`--env-file: ${path} line ${index + 1} is not KEY=value (the value is not shown)`);
    }
  });
}
