import { writeSync } from 'node:fs';

/**
 * SIGINT/SIGTERM for a long-running command, listened to before anything slow starts (loading a model, waiting for a
 * camera). The first signal runs the stop registered with `onStop` (at registration when the signal came earlier)
 * and arms a deadline: a stop not done by then (a sink that hangs, a camera driver stuck in a read) ends the process
 * at once, after `onForcedExit`. A second signal ends it at once too.
 */
export class SignalStop {
  private signalled = false;
  private stop: (() => void) | undefined;
  private readonly forcedExitHooks: Array<(why: string) => void> = [];

  constructor(private readonly deadlineMs: number) {
    process.on('SIGINT', this.handle);
    process.on('SIGTERM', this.handle);
  }

  get requested(): boolean {
    return this.signalled;
  }

  onStop(stop: () => void): void {
    this.stop = stop;
    if (this.signalled) stop();
  }

  /** Runs (synchronously) before the process is ended by endNow, e.g. to write the health file. */
  onForcedExit(hook: (why: string) => void): void {
    this.forcedExitHooks.push(hook);
  }

  /** Stops listening; an armed deadline stays armed (unref'd), so that a process kept alive by a stuck read still ends. */
  dispose(): void {
    process.off('SIGINT', this.handle);
    process.off('SIGTERM', this.handle);
  }

  private readonly handle = (): void => {
    if (this.signalled) return this.endNow('second signal');
    this.signalled = true;
    setTimeout(() => this.endNow(`did not stop within ${this.deadlineMs / 1000} s`), this.deadlineMs).unref();
    this.stop?.();
  };

  /**
   * Ends the process by SIGTERM's default action: process.exit() would wait for native reads still blocked on libuv's
   * thread pool. systemd counts an end by SIGTERM as a clean stop, as it does exit status 0.
   */
  endNow(why: string): void {
    for (const hook of this.forcedExitHooks.splice(0)) {
      try {
        hook(why);
      } catch {
        // ending anyway
      }
    }
    writeSync(2, `fer-edge: ${why}; exiting now\n`);
    process.removeAllListeners('SIGTERM');
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 500);
  }
}
