let pending = 0;

/**
 * Counts a native read given up on (a stalled camera or stream) until it returns. Such a read holds a thread of
 * libuv's pool, and Node's process.exit() waits for that pool: a process that must end now ends by signal instead.
 */
export function trackAbandonedRead(read: Promise<unknown>): void {
  pending++;
  const done = (): void => void pending--;
  read.then(done, done);
}

/** Native reads given up on that have not returned yet. */
export function abandonedReads(): number {
  return pending;
}
