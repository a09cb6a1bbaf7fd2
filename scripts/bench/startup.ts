import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harnessConfig } from '../../support/gateway/gateway-harness.js';
import { GatewayProcess } from '../../support/gateway/gateway-process.js';
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

async function timeToRunning(config: string): Promise<number> {
  const gateway = new GatewayProcess(config);
  const ms = await gateway.start();
  await gateway.stop();
  return Math.round(ms);
}
