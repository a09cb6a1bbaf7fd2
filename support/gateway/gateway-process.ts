import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
/** The start-up line of `gatewarden start`, as pino writes it in JSON: matched as text, so no line is parsed for it. */
const RUNNING_LINE = '"msg":"gateway running"';

export interface GatewayProcessOptions {
  /** Node flags before the CLI, for diagnosis (e.g. --trace-gc). */
  nodeFlags?: readonly string[];
  /** `inherit` shows the gateway's stderr as it comes; by default its tail is kept for the start-up error. */
  stderr?: 'inherit' | 'tail';
  /** Environment beside the caller's (the benches pass what the installed command's shebang sets). */
  env?: Readonly<Record<string, string>>;
}

/** One JSON log line of the gateway: pino's level and message, and the fields of that line. */
export interface GatewayLogEntry {
  level?: number;
  msg?: string;
  [field: string]: unknown;
}

/** The line as a log entry, or undefined when it is not JSON (a stray line, a partial write at a kill). */
export function parseLogLine(line: string): GatewayLogEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as GatewayLogEntry;
  } catch {
    return undefined;
  }
}

/**
 * The real gateway as a child process (`node dist/cli.js start <config>`, build first, JSON logs), for the
 * benches, the chaos runs and the black-box tests: started and timed to its "gateway running" line, its log
 * handed line by line to whoever listens, stopped as an operator would (SIGTERM) or cut like a power loss
 * (SIGKILL). Listeners stay across restarts: they hear every process started from this object.
 */
export class GatewayProcess {
  private child: ChildProcess | undefined;
  private readonly listeners: Array<(line: string) => void> = [];
  starts = 0;

  constructor(
    private readonly configPath: string,
    private readonly options: GatewayProcessOptions = {},
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The running process's id (for /proc), if one runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Hands every log line (raw text: most callers want few of them, and parse only those) to `listener`. */
  onLogLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  /** Spawns the gateway and resolves with the milliseconds until its "gateway running" line. */
  async start(configPath = this.configPath, args: readonly string[] = []): Promise<number> {
    if (this.running) throw new Error('gateway already running');
    const startedAt = performance.now();
    const child = spawn(process.execPath, [...(this.options.nodeFlags ?? []), CLI, 'start', configPath, ...args], {
      env: { ...process.env, ...this.options.env, GATEWARDEN_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', this.options.stderr === 'inherit' ? 'inherit' : 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A gateway that never came up is not left behind.
        child.kill('SIGKILL');
        reject(new Error(`gateway not running after ${READY_TIMEOUT_MS} ms: ${stderr}`));
      }, READY_TIMEOUT_MS);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`gateway exited during start-up (${code ?? signal}): ${stderr}`));
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        for (const listener of this.listeners) listener(line);
        if (line.includes(RUNNING_LINE)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return performance.now() - startedAt;
  }

  /** SIGKILL: no shutdown code runs, exactly like a power cut of the process. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM: the orderly shutdown `gatewarden start` does on a stop request; past `timeoutMs`, if given, SIGKILL. */
  async stop(timeoutMs?: number): Promise<void> {
    const child = this.child;
    const stopping = this.signal('SIGTERM');
    if (timeoutMs === undefined) return stopping;
    const timer = setTimeout(() => child?.kill('SIGKILL'), timeoutMs);
    await stopping;
    clearTimeout(timer);
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
