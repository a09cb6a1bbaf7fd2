import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harnessConfig } from '../../support/gateway/gateway-harness.js';
import { gatewayLaunch } from '../../support/gateway/gateway-launch.js';
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
    notes: [
      'Target: median ≤ 1.0 s. Includes Node start (with the flags of src/cli.ts\'s first line), config validation, secrets generation (first run), database creation and migrations, broker start and lane start; http is off in this config.',
      'Before and after, 2026-11-30, the branch point (94d8847) and this tree started alternately, 8 runs each (a throwaway script; load average 7–13 on the 2 shared cores): median 842 → 708 ms to "gateway running", CPU time to ready 980 → 900 ms; under load average 16, 10 runs each: 2809 → 2327 ms, CPU 1140 → 840 ms.',
      'What went (node --cpu-prof on start): four synchronous scrypt runs hashing the secrets\' broker passwords, 730 ms of CPU under load, now side by side on the thread pool; ajv compiling every schema when its module loads (MQTT contract, commands, HTTP), now on first use; fastify, its plugins, selfsigned, qrcode and modbus-serial, now loaded only when the config uses them.',
    ],
  };
};

async function timeToRunning(config: string): Promise<number> {
  // As the installed command runs it: the node flags and environment of its shebang.
  const { env, nodeFlags } = gatewayLaunch();
  const gateway = new GatewayProcess(config, { nodeFlags, env });
  const ms = await gateway.start();
  await gateway.stop();
  return Math.round(ms);
}
