/**
 * Errors a user can act on. The CLI prints `fer-edge: <message>` on one line and exits with `exitCode`;
 * anything else is a bug and gets a stack trace.
 */
export class FerEdgeError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration file or flag is wrong (exit 2, like a usage error). */
export class ConfigError extends FerEdgeError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** A model file or its manifest is missing, corrupt or does not match. */
export class ModelError extends FerEdgeError {}

/** A camera, file or stream cannot be opened or read. */
export class SourceError extends FerEdgeError {}
