import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '../../support/gateway/gateway-harness.js';

/**
 * `node dist/cli.js` (build first) as an operator runs it: `start` as a child
 * process whose JSON log lines (and their raw text) are kept, and one-shot
 * commands (`trace`, `credentials show`) with their output and exit code.
 */
export class DataProcess {
  /** Every stdout line, as written. */
  readonly text: string[] = [];
  readonly lines: Array<Record<string, unknown>> = [];
  stderr = '';
  exitCode: number | null = null;

  private constructor(private readonly child: ChildProcess) {}

  static spawn(configPath: string, env: Record<string, string> = {}): DataProcess {
    const child = spawn(process.execPath, ['dist/cli.js', 'start', configPath], { env: { ...process.env, GATEWARDEN_LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const running = new DataProcess(child);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (buffered + chunk.toString()).split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) {
        running.text.push(part);
        if (part.trim().startsWith('{')) running.lines.push(JSON.parse(part) as Record<string, unknown>);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (running.stderr += chunk.toString()));
    child.once('exit', (code) => (running.exitCode = code ?? -1));
    return running;
  }

  /** Resolves once the gateway logs "gateway running"; rejects if it exits first. */
  async running(timeoutMs = 30_000): Promise<this> {
    await waitFor(() => {
      if (this.exitCode !== null) throw new Error(`gateway exited ${this.exitCode}: ${this.stderr}`);
      return this.lines.some((line) => line.msg === 'gateway running');
    }, 'gateway running', timeoutMs);
    return this;
  }

  /** Resolves with the exit code once the process ended by itself. */
  exited(timeoutMs = 30_000): Promise<number> {
    return waitFor(() => this.exitCode ?? undefined, 'the gateway to exit', timeoutMs);
  }

  line(msg: string): Record<string, unknown> | undefined {
    return this.lines.find((line) => line.msg === msg);
  }

  async stop(): Promise<void> {
    if (this.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** A one-shot `gatewarden` command, run beside the test's own event loop (simulated devices keep answering). */
export function cli(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['dist/cli.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}
