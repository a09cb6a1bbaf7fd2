import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';

/**
 * A pseudo-terminal pair made by socat: the gateway opens `devicePath`, the
 * simulator `simPath`. `unplug()` kills socat, so both ends vanish as a USB
 * adapter does; `replug()` brings them back under the same names.
 */
export class PtyPair {
  private socat: ChildProcess | undefined;
  /**
   * Ctrl-C in a terminal signals the whole foreground process group: socat
   * would die with the simulator's caller and pull the ports from under a
   * gateway that is still shutting down. A detached socat has a group of its
   * own and is stopped by stop(), or when this process exits.
   */
  detached = false;

  constructor(
    readonly devicePath: string,
    readonly simPath: string,
  ) {}

  /** A pair named `<name>-dev` / `<name>-sim` in `dir` (tests, benches). */
  static inDir(dir: string, name: string): PtyPair {
    return new PtyPair(join(dir, `${name}-dev`), join(dir, `${name}-sim`));
  }

  /** The simulator's end beside a configured device port: `<port>.sim`. */
  static forPort(devicePath: string): PtyPair {
    return new PtyPair(devicePath, `${devicePath}.sim`);
  }

  async start(): Promise<void> {
    const socat = spawn('socat', ['-d', `pty,raw,echo=0,link=${this.devicePath}`, `pty,raw,echo=0,link=${this.simPath}`], { stdio: 'ignore', detached: this.detached });
    this.socat = socat;
    if (this.detached) {
      const killOnExit = () => socat.kill('SIGTERM');
      process.once('exit', killOnExit);
      socat.once('exit', () => process.off('exit', killOnExit));
    }
    await waitFor(() => existsSync(this.devicePath) && existsSync(this.simPath), { what: `socat links ${this.devicePath}`, timeoutMs: 10_000 });
  }

  async unplug(): Promise<void> {
    const socat = this.socat;
    this.socat = undefined;
    if (!socat || socat.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
    socat.kill('SIGTERM');
    await exited;
  }

  async replug(): Promise<void> {
    await this.unplug();
    await this.start();
  }

  stop(): Promise<void> {
    return this.unplug();
  }
}
