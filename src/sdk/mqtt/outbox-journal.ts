import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import type { OutboxEntry } from './outbox.js';

const logger = childLogger('mqtt');
const JOURNAL = 'events.jsonl';
/** Rewrite the journal once it holds this many records of settled events, and more of them than waiting ones. */
const COMPACT_AFTER_SETTLED = 1000;

/**
 * The on-disk copy of the outbox: an append-only journal in `dir`, one line per record, `+<seq> <event JSON>` when an
 * event is accepted and `-<seq>` when it is settled (acknowledged, dropped or refused). Each record is one write(2)
 * on a file opened for appending, so it is in the kernel's page cache when `add` returns: a killed process (SIGKILL,
 * the OOM killer) loses nothing it accepted. There is no fsync per event (an SD card would not keep up), so a power
 * cut can lose the last seconds. A record cut short by a crash has no newline and is ignored on open; the journal is
 * then rewritten with only the waiting events, so the next process never appends to a torn line.
 *
 * mqtt.js's pluggable stores (outgoingStore) keep packets by 16-bit message id, which a new process hands out again
 * from the start, and the maintained ones buffer writes for a second or more: neither survives a SIGKILL in order.
 */
export class OutboxJournal {
  private readonly waiting = new Map<number, string>();
  private settledRecords = 0;
  private writeFailed = false;

  private constructor(
    readonly dir: string,
    private fd: number | undefined,
    private readonly lock: DirLock,
  ) {}

  /** Opens (creating) the journal in `dir`, takes the directory's lock, and returns it with the events still waiting, oldest first. */
  static open(dir: string): { journal: OutboxJournal; entries: OutboxEntry[] } {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new ConfigError(`mqtt.outbox.dir: cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
    const lock = acquireDirLock(dir);
    try {
      const entries = readJournal(join(dir, JOURNAL));
      const journal = new OutboxJournal(dir, undefined, lock);
      for (const entry of entries) journal.waiting.set(entry.seq, entry.payload);
      journal.rewrite();
      return { journal, entries };
    } catch (error) {
      lock.release();
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`mqtt.outbox.dir: cannot use ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }

  /** Events on disk, waiting. */
  get size(): number {
    return this.waiting.size;
  }

  add(entry: OutboxEntry): void {
    if (this.append(`+${entry.seq} ${entry.payload}\n`)) this.waiting.set(entry.seq, entry.payload);
  }

  /** The event was acknowledged, dropped or refused: it must not come back after a restart. */
  settle(seq: number): void {
    if (!this.waiting.delete(seq)) return;
    this.append(`-${seq}\n`);
    this.settledRecords++;
    if (this.settledRecords >= COMPACT_AFTER_SETTLED && this.settledRecords > this.waiting.size) this.rewrite();
  }

  /** Leaves the waiting events in a compact journal (none: no file) and releases the directory. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      this.rewrite(false);
    } catch (error) {
      logger.warn({ dir: this.dir, err: (error as Error).message }, 'cannot compact the MQTT outbox journal');
    }
    this.lock.release();
  }

  /** Writes the waiting events to a new journal and puts it in place of the old one (rename: never half of each). */
  private rewrite(reopen = true): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    const path = join(this.dir, JOURNAL);
    if (this.waiting.size === 0) {
      rmSync(path, { force: true });
    } else {
      const lines = [...this.waiting].sort(([a], [b]) => a - b).map(([seq, payload]) => `+${seq} ${payload}\n`);
      const tmp = `${path}.tmp`;
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, lines.join(''));
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    }
    if (reopen) this.fd = openSync(path, 'a');
    this.settledRecords = 0;
  }

  private append(record: string): boolean {
    if (this.fd === undefined) return false;
    try {
      writeSync(this.fd, record);
      this.writeFailed = false;
      return true;
    } catch (error) {
      if (!this.writeFailed) {
        logger.warn({ dir: this.dir, err: (error as Error).message }, 'cannot write the MQTT outbox journal; events are kept in memory only');
      }
      this.writeFailed = true;
      return false;
    }
  }
}

/** The events a journal still holds, oldest first; torn or foreign lines are skipped. */
function readJournal(path: string): OutboxEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const waiting = new Map<number, string>();
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline: empty, or a record a crash cut short
  for (const line of lines) {
    const match = /^([+-])(\d+)(?: (.*))?$/.exec(line);
    if (!match) continue;
    const seq = Number(match[2]);
    if (match[1] === '-') waiting.delete(seq);
    else if (match[3] !== undefined && isJson(match[3])) waiting.set(seq, match[3]);
  }
  return [...waiting].sort(([a], [b]) => a - b).map(([seq, payload]) => ({ seq, payload }));
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
