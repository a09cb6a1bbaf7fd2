import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { Thermometer } from '../../../src/drivers/device.js';
import { setTemperature } from '../../../support/sim/modbus-sim.js';
import { PtyPair } from '../../../support/sim/pty-pair.js';
import { RtuSlaveBus } from '../../../support/sim/rtu-slave-bus.js';
import { TcpSlave } from '../../../support/sim/tcp-slave.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { profile, useHarness, waitFor } from './harness.js';

/**
 * A lane refers anyone whose thermometer it believes offline, so a device's
 * health at start-up decides whether a gate works at all.
 */
describeWithTools(['socat'], 'device health from start-up', () => {
  const harness = useHarness();

  it('a Modbus unit whose port is not there yet stays offline, not degraded, and comes online when the port appears', async () => {
    const pair = PtyPair.inDir(harness().dir, 'late-bus');
    const thermo = await harness().device<Thermometer>({ id: 'thermo', role: 'thermometer', profile: 'thermo-rtu-int16', port: pair.devicePath, pollMs: 50 });
    // Many poll periods with no port: every one of them would have been a failure of the unit.
    await sleep(600);
    expect(thermo.statuses.map((status) => status.availability)).not.toContain('degraded');
    expect(thermo.availability).toBe('offline');

    await pair.start();
    harness().onClose(() => pair.stop());
    const slaves = new RtuSlaveBus({ path: pair.simPath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    setTemperature(slaves.unit(1).bank, await profile('thermo-rtu-int16'), 36.6);
    harness().onClose(() => slaves.stop());
    slaves.start();
    await waitFor(() => thermo.availability === 'online', { what: 'thermometer online once its port exists', timeoutMs: 5000 });
  });

  it('an on-demand Modbus thermometer comes online as soon as it is connected, without being asked to measure, and emits no reading of its own', async () => {
    const sim = new TcpSlave();
    await sim.start();
    harness().onClose(() => sim.stop());
    setTemperature(sim.bank, await profile('thermo-modbus-float32'), 36.8);
    const thermo = await harness().device<Thermometer>({ id: 'thermo', role: 'thermometer', profile: 'thermo-modbus-float32', host: '127.0.0.1', tcpPort: sim.port, pollMs: 10_000 });
    // Not a poll period later: the first liveness read goes out when the connection comes up.
    await waitFor(() => thermo.availability === 'online', { what: 'thermometer online', timeoutMs: 2000 });
    // The liveness read neither triggers a measurement nor reports one.
    expect(sim.bank.writes).toEqual([]);
    expect(thermo.values()).toEqual([]);
  });
});
