import { ConfigError, FerEdgeError, ModelError, SourceError } from '../../core/errors.js';

/** An error as it crosses threads: structured cloning keeps neither our error classes nor their exit codes. */
export interface ThreadError {
  name: string;
  message: string;
}

export function toThreadError(error: unknown): ThreadError {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

const KNOWN: Record<string, new (message: string) => FerEdgeError> = { ConfigError, ModelError, SourceError, FerEdgeError };

/**
 * Our own errors come back as the same class with the same message as on the main thread (so the CLI prints the same
 * line and exit code); anything else becomes a one-line FerEdgeError naming the thread.
 */
export function fromThreadError(error: ThreadError, thread: string): FerEdgeError {
  const Known = KNOWN[error.name];
  return Known ? new Known(error.message) : new FerEdgeError(`${thread}: ${error.message}`);
}
