/** Exponential reconnect delay with +-20% jitter (so that a fleet does not reconnect in lock-step), capped at maxMs. */
export function backoffDelayMs(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.min(maxMs, Math.max(minMs, jittered)));
}
