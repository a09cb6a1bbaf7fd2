import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

/** What the chaos run reads from the gateway's JSON log lines. */
export interface GatewayLogTally {
  /** `alert raised` lines of type barrier-forced: a passage the sensor saw without a grant. */
  barrierForced: number;
  /** `database write failed` lines: the lane referred because storage failed. */
  storageErrors: number;
  /** Log lines at level error or fatal, by message (the first few, for the report). */
  errors: Map<string, number>;
}

/**
 * The real gateway as a child process (`node dist/cli.js start <config>`, JSON
 * logs), so SIGKILL hits it exactly as a power cut or OOM kill would. The log
 * tally survives restarts: it covers every process started from this object.
 */
export class GatewayProcess {
  private child: ChildProcess | undefined;
  readonly tally: GatewayLogTally = { barrierForced: 0, storageErrors: 0, errors: new Map() };
  starts = 0;

  constructor(private readonly configPath: string) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the gateway and resolves with the milliseconds until its "gateway running" line. */
  async start(configPath = this.configPath): Promise<number> {
    if (this.running) throw new Error('gateway already running');
    const startedAt = performance.now();
    const child = spawn(process.execPath, [CLI, 'start', configPath], {
      env: { ...process.env, GATEWARDEN_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway not running after ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`gateway exited during start-up (${code ?? signal}): ${stderr}`));
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (this.count(line) === 'running') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await ready;
    return performance.now() - startedAt;
  }

  /** SIGKILL: no shutdown code runs, exactly like a power cut of the process. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM: the orderly shutdown `gatewarden start` does on a stop request. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Tallies one log line; returns 'running' for the ready line. */
  private count(line: string): 'running' | undefined {
    let entry: { level?: number; msg?: string; alert?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return undefined;
    }
    if (entry.msg === 'alert raised' && entry.alert === 'barrier-forced') this.tally.barrierForced += 1;
    if (entry.msg?.startsWith('database write failed')) this.tally.storageErrors += 1;
    if ((entry.level ?? 0) >= 50 && entry.msg) this.tally.errors.set(entry.msg, (this.tally.errors.get(entry.msg) ?? 0) + 1);
    return entry.msg === 'gateway running' ? 'running' : undefined;
  }
}
