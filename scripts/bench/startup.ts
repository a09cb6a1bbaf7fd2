import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harnessConfig } from '../../test/helpers/gateway-harness.js';
import { gatewayLaunch } from './gateway-launch.js';
import { summarize } from './stats.js';
import type { Bench } from './types.js';

/** Wall time from spawning `node dist/cli.js start` to the "gateway running" log line, with a fresh data dir each time. */
export const startup: Bench = async ({ scale, log }) => {
  const runs = Math.max(3, Math.round(10 * scale));
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'gw-start-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, JSON.stringify(harnessConfig(dir, { demo: { crowd: true, arrivalEveryMs: 1000 } })));
    samples.push(await timeToRunning(config));
    rmSync(dir, { recursive: true, force: true });
  }
  const s = summarize(samples);
  log(`start-up: p50 ${s.p50} ms, max ${s.max} ms`);
  return {
    name: 'startup',
    title: 'Start-up time to ready',
    command: 'npm run build && npm run bench -- --only startup',
    figures: { runs: s.n, 'spawn → "gateway running", median (ms)': s.p50, 'max (ms)': s.max },
    notes: ['Includes Node start, config validation, secrets generation (first run), database creation and migrations, broker start and lane start.'],
  };
};

function timeToRunning(config: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const { env, nodeFlags } = gatewayLaunch();
    const child = spawn(process.execPath, [...nodeFlags, 'dist/cli.js', 'start', config], { env: { ...process.env, ...env, GATEWARDEN_LOG_FORMAT: 'json' } });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('gateway did not start within 30 s'));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"gateway running"')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        clearTimeout(timer);
        child.once('exit', () => resolve(Math.round(ms)));
        child.kill('SIGTERM');
      }
    });
  });
}
