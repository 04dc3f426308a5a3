import { readdir, readFile } from 'node:fs/promises';

/** What /proc says about a running process: resident memory and open file descriptors (Linux only). */
export interface ProcessReading {
  rssMiB: number;
  fds: number;
}

export async function readProcess(pid: number): Promise<ProcessReading> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  if (!Number.isFinite(rssKiB)) throw new Error(`no VmRSS in /proc/${pid}/status`);
  const fds = (await readdir(`/proc/${pid}/fd`)).length;
  return { rssMiB: rssKiB / 1024, fds };
}
