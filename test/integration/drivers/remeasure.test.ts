import { describe, expect, it } from 'vitest';
import type { Thermometer } from '../../../src/drivers/device.js';
import { setTemperature } from '../../../support/sim/modbus-sim.js';
import { TcpSlave } from '../../../support/sim/tcp-slave.js';
import { profile, useHarness, waitFor } from './harness.js';

describe('an on-demand Modbus thermometer asked again from its reading listener', () => {
  const harness = useHarness();

  it('measures again (a lane re-measures a first fever from inside that reading)', async () => {
    const sim = new TcpSlave();
    await sim.start();
    harness().onClose(() => sim.stop());
    setTemperature(sim.bank, await profile('thermo-modbus-float32'), 38.4);
    const thermo = await harness().device<Thermometer>({ id: 'thermo', role: 'thermometer', profile: 'thermo-modbus-float32', host: '127.0.0.1', tcpPort: sim.port });
    await waitFor(() => thermo.availability === 'online', { what: 'thermometer online' });
    let asked = false;
    thermo.device.onReading(() => {
      if (asked) return;
      asked = true;
      thermo.device.measure();
    });
    thermo.device.measure();
    await waitFor(() => thermo.values().length >= 2, { what: 'the second reading', timeoutMs: 3000 });
    // Two measurements, each started by its own trigger write.
    expect(sim.bank.writes.filter((write) => write.address === 256)).toHaveLength(2);
  });
});
