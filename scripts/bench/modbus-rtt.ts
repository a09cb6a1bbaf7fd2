import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { silentIntervalMs } from '../../src/drivers/modbus/rtu-frame.js';
import { createPortRegistry } from '../../src/drivers/port-registry.js';
import { findTool } from '../../support/tools/system-tools.js';
import { PtyPair } from '../../support/sim/pty-pair.js';
import { waitFor } from '../../support/sim/wait-for.js';
import { elapsedMs, summarize } from './stats.js';
import type { Bench } from './types.js';

const MASTER_SOURCE = fileURLToPath(new URL('./modbus-rtt-master.c', import.meta.url));
const SERVE_BUS = fileURLToPath(new URL('../sim/serve-bus.ts', import.meta.url));
/** Read holding register 0, one register: request 8 bytes, reply 7 (Application Protocol §6.3). */
const FRAME_BYTES = 8 + 7;
/** An RTU character is 11 bits on the wire (start, 8 data, parity or a second stop, stop; Serial Line V1.02 §2.5.1). */
const BITS_PER_CHAR = 11;
const UNIT = { unitId: 1, timeoutMs: 500, lateReplyGuardMs: 0 };

/** What one read costs on a real RS-485 wire: both frames' bytes plus the silent interval before the next request. */
export function wireFloorMs(baudRate: number): number {
  return (FRAME_BYTES * BITS_PER_CHAR * 1000) / baudRate + silentIntervalMs(baudRate);
}

/**
 * Modbus RTU read round trip (issue 3): our driver (port registry → bus queue
 * → modbus-serial over the real serialport binding) and a libmodbus master
 * compiled here, reading the same simulator over the same socat pty, one after
 * the other. The simulator runs in its own process. Requests are paced further
 * apart than the RTU silent interval, so both masters send at once and the
 * figure is the round trip alone. A pty moves bytes without baud timing, so the
 * wire floor is computed and reported beside the measurements.
 */
export const modbusRtt: Bench = async ({ scale, log }) => {
  const missing = ['socat', 'cc', '/usr/include/modbus/modbus.h'].filter((tool) => findTool(tool) === undefined);
  if (missing.length > 0) throw new Error(`modbus-rtt needs ${missing.join(', ')}`);
  const count = Math.max(100, Math.round(2000 * scale));
  const dir = mkdtempSync(join(tmpdir(), 'gw-modbus-rtt-'));
  const master = join(dir, 'modbus-rtt-master');
  execFileSync('cc', ['-O2', '-o', master, MASTER_SOURCE, '-lmodbus']);
  const figures: Record<string, number | string> = { 'reads per master and baud rate': count };
  try {
    for (const baudRate of [9600, 115_200]) {
      const gapMs = Math.ceil(silentIntervalMs(baudRate)) + 2;
      const pair = PtyPair.inDir(dir, `bus-${baudRate}`);
      await pair.start();
      const sim = await serveBus(pair.simPath, baudRate);
      try {
        const ours = summarize(await readWithOurDriver(pair.devicePath, baudRate, count, gapMs));
        const reference = summarize(readWithLibmodbus(master, pair.devicePath, baudRate, count, gapMs));
        const floor = Math.round(wireFloorMs(baudRate) * 100) / 100;
        log(`${baudRate} baud: ours p50 ${ours.p50} / p99 ${ours.p99} ms, libmodbus p50 ${reference.p50} / p99 ${reference.p99} ms, wire floor ${floor} ms`);
        Object.assign(figures, {
          [`${baudRate} baud, ours p50 (ms)`]: ours.p50,
          [`${baudRate} baud, ours p99 (ms)`]: ours.p99,
          [`${baudRate} baud, libmodbus p50 (ms)`]: reference.p50,
          [`${baudRate} baud, libmodbus p99 (ms)`]: reference.p99,
          [`${baudRate} baud, ours − libmodbus at p99 (ms)`]: Math.round((ours.p99 - reference.p99) * 1000) / 1000,
          [`${baudRate} baud, real-wire floor (ms)`]: floor,
        });
      } finally {
        sim.kill('SIGTERM');
        await pair.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    name: 'modbus-rtt',
    title: 'Modbus RTU read round trip: our driver vs libmodbus, same simulator, same pty',
    command: 'npm run bench -- --only modbus-rtt',
    figures,
    notes: [
      'Target: ours within 1 ms of the libmodbus reference at p99.',
      'One holding register (8-byte request, 7-byte reply). The simulator (scripts/sim/serve-bus.ts) runs in its own process; each master reads it in turn over the same socat pty.',
      `Real-wire floor = 15 bytes × ${BITS_PER_CHAR} bits / baud + one 3.5-character silent interval (1.75 ms above 19200 baud): what the gate sees on RS-485. A pty has no baud timing, so measured figures are protocol and scheduling cost only.`,
      'Requests are paced just beyond the silent interval, so our driver never waits for it and neither master is rate-limited by the pacing.',
    ],
  };
};

async function serveBus(path: string, baudRate: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE_BUS, path, String(baudRate)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => output.includes('ready'), { what: 'simulated bus ready', timeoutMs: 20_000 });
  return child;
}

async function readWithOurDriver(path: string, baudRate: number, count: number, gapMs: number): Promise<number[]> {
  const ports = createPortRegistry({ log: pino({ level: 'silent' }) });
  const shared = ports.modbusRtu({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1 }, 'bench');
  const bus = shared.acquire();
  const samples: number[] = [];
  try {
    await waitFor(() => bus.isUp, { what: `${path} open` });
    for (let i = 0; i < count + 20; i += 1) {
      await sleep(gapMs);
      const started = process.hrtime.bigint();
      await bus.request(UNIT, 'read', (client) => client.readHoldingRegisters(0, 1));
      // The first 20 warm the JIT and the port up.
      if (i >= 20) samples.push(elapsedMs(started));
    }
  } finally {
    await ports.stop();
  }
  return samples;
}

function readWithLibmodbus(master: string, path: string, baudRate: number, count: number, gapMs: number): number[] {
  const output = execFileSync(master, [path, String(baudRate), String(UNIT.unitId), String(count + 20), String(gapMs * 1000)], { encoding: 'utf8', timeout: 120_000 });
  const lines = output.trim().split('\n');
  const failed = lines.filter((line) => line.startsWith('error'));
  if (failed.length > 0) throw new Error(`libmodbus master: ${failed.length} failed reads, first: ${failed[0]}`);
  return lines.slice(20).map((line) => Number(line) / 1000);
}
