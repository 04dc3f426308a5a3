/**
 * `[host:]port` as given to `--preview`: `8090`, `0.0.0.0:8090`, `[::]:8090`; port 0 = any free port. Throws an Error
 * whose message says what is wrong.
 */
export function parsePreviewAddress(value: string): { host?: string; port: number } {
  const match = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new Error(`--preview must be [host:]port (e.g. 8090 or 0.0.0.0:8090), not "${value}"`);
  const host = match[1]?.replace(/^\[(.*)\]$/, '$1');
  return host ? { host, port } : { port };
}
