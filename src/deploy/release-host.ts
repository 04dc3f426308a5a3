/** Where releases are installed: this machine (deploy --dest) or a robot over SSH (deploy --host). */
export interface ReleaseHost {
  /** For messages: `root@robot:/opt/fer-edge` or `/tmp/robot`. */
  readonly description: string;
  /** The deploy root on that host. */
  readonly root: string;
  /** Copy local files into <root>/incoming/ under the given names; returns their paths on the host. */
  upload(files: { localPath: string; name: string }[]): Promise<string[]>;
  /** Run a local POSIX sh script on the host with fixed arguments; resolves with its stdout, throws DeployError. */
  runScript(scriptPath: string, args: string[]): Promise<string>;
  close(): Promise<void>;
}
