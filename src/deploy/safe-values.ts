import { ConfigError } from '../core/errors.js';

// Values that end up in a remote command line are checked against a narrow alphabet AND quoted: the remote command
// is built only from fixed words and these values, never from a shell string a user typed.

const safePath = /^\/[A-Za-z0-9._/+@-]*$/;

/** An absolute path made of plain characters, without `..` segments. */
export function assertSafePath(path: string, what: string): string {
  if (!safePath.test(path) || path.split('/').includes('..')) {
    throw new ConfigError(`${what} must be an absolute path of letters, digits and . _ / + @ - (got '${path}')`);
  }
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** `[user@]host` as ssh takes it: a name or address, never an option. */
export function assertSafeHost(host: string): string {
  if (!/^([A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*$/.test(host)) {
    throw new ConfigError(`--host must look like user@robot or robot (got '${host}')`);
  }
  return host;
}

/** Quote one word for a POSIX shell (what sshd hands the remote command to). */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
