import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { Thermometer } from '../../../src/drivers/device.js';
import { setTemperature } from '../../../support/sim/modbus-sim.js';
import { TcpSlave } from '../../../support/sim/tcp-slave.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { profile, useHarness, waitFor, type Harness } from './harness.js';

const source = fileURLToPath(new URL('../../../support/libmodbus-slave.c', import.meta.url));

/** Starts the compiled libmodbus slave (it serves one connection) and resolves with the port it listens on. */
async function startLibmodbus(harness: () => Harness, celsius: string): Promise<number> {
  const binary = join(harness().dir, 'libmodbus-slave');
  if (!existsSync(binary)) execFileSync('cc', ['-O1', '-o', binary, source, '-lmodbus']);
  const child = spawn(binary, ['tcp', celsius], { stdio: ['ignore', 'pipe', 'inherit'] });
  harness().onClose(() => void child.kill());
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => /port \d+/.test(output), { what: 'libmodbus slave listening' });
  return Number(/port (\d+)/.exec(output)?.[1]);
}

describeWithTools(['cc', '/usr/include/modbus/modbus.h'], 'a thermometer from another Modbus implementation (libmodbus)', () => {
  const harness = useHarness();

  it('is read correctly over Modbus TCP from the thermo-modbus-float32 profile alone (float32, low word first, compensation)', async () => {
    const tcpPort = await startLibmodbus(harness, '36.9');
    const thermo = await harness().device<Thermometer>({ id: 'thermo', role: 'thermometer', profile: 'thermo-modbus-float32', host: '127.0.0.1', tcpPort });
    // On-demand model: each measure() writes the trigger register, waits the settle time, reads.
    await waitFor(() => {
      thermo.device.measure();
      return thermo.values().length > 0;
    }, { what: 'reading from libmodbus', timeoutMs: 10_000, intervalMs: 200 });
    // 36.9 measured + the profile's 0.3 °C forehead-to-core offset.
    expect(thermo.values()[0]).toBeCloseTo(37.2, 2);
    expect(thermo.availability).toBe('online');
  });

  it('agrees with our own simulator for the same profile', async () => {
    const sim = new TcpSlave();
    await sim.start();
    harness().onClose(() => sim.stop());
    setTemperature(sim.bank, await profile('thermo-modbus-float32'), 37.2);
    const thermo = await harness().device<Thermometer>({ id: 'thermo', role: 'thermometer', profile: 'thermo-modbus-float32', host: '127.0.0.1', tcpPort: sim.port });
    await waitFor(() => {
      thermo.device.measure();
      return thermo.values().length > 0;
    }, { what: 'reading from the simulator', timeoutMs: 10_000, intervalMs: 200 });
    expect(thermo.values()[0]).toBeCloseTo(37.2, 2);
    expect(sim.bank.writes).toContainEqual({ functionCode: 6, address: 256, value: 1 });
  });
});

describeWithTools(['cc', '/usr/include/modbus/modbus.h', 'mbpoll'], 'the libmodbus thermometer read by mbpoll, a second independent client', () => {
  const harness = useHarness();

  it('gives the raw value that our profile read compensates by its offset', async () => {
    const polled = await promisify(execFile)('mbpoll', ['-m', 'tcp', '-p', String(await startLibmodbus(harness, '36.9')), '-a', '1', '-0', '-r', '16', '-t', '3:float', '-c', '1', '-1', '127.0.0.1']);
    // mbpoll's default word order for a float is little endian (low word first), as the profile says.
    const raw = Number(/^\[16\]:\s+(\S+)/m.exec(polled.stdout)?.[1]);
    expect(raw).toBeCloseTo(36.9, 3);
    const thermo = await harness().device<Thermometer>({ id: 'thermo', role: 'thermometer', profile: 'thermo-modbus-float32', host: '127.0.0.1', tcpPort: await startLibmodbus(harness, '36.9') });
    await waitFor(() => {
      thermo.device.measure();
      return thermo.values().length > 0;
    }, { what: 'reading from libmodbus', timeoutMs: 10_000, intervalMs: 200 });
    const { compensation } = await profile('thermo-modbus-float32');
    expect(compensation).toMatchObject({ gain: 1 });
    expect(thermo.values()[0]).toBeCloseTo(raw + (compensation?.offset ?? Number.NaN), 2);
  });
});
