import { expect, it } from 'vitest';
import type { Scanner, Thermometer } from '../../../src/drivers/device.js';
import { LineSim } from '../../../support/sim/line-sim.js';
import { setTemperature } from '../../../support/sim/modbus-sim.js';
import { RtuSlaveBus } from '../../../support/sim/rtu-slave-bus.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { profile, useHarness, waitFor } from './harness.js';

const RECOVERY_MS = 5000;

describeWithTools(['socat'], 'unplug and replug', () => {
  const harness = useHarness();

  for (const baudRate of [9600, 115_200]) {
    it(`a Modbus thermometer and a scanner at ${baudRate} baud recover within ${RECOVERY_MS} ms, without a restart`, async () => {
      const serial = { baudRate, dataBits: 8, parity: 'none', stopBits: 1 } as const;
      const busPty = await harness().pty('bus');
      const scannerPty = await harness().pty('scanner');
      const slaves = new RtuSlaveBus({ ...serial, path: busPty.simPath });
      setTemperature(slaves.unit(1).bank, await profile('thermo-rtu-int16'), 36.6);
      const scannerSim = new LineSim(await profile('scanner-qr-cr'), { ...serial, path: scannerPty.simPath });
      harness().onClose(() => slaves.stop());
      harness().onClose(() => scannerSim.stop());
      slaves.start();
      scannerSim.start();
      const thermo = await harness().device<Thermometer>({ id: 'thermo', role: 'thermometer', profile: 'thermo-rtu-int16', port: busPty.devicePath, baudRate, pollMs: 200 });
      const scanner = await harness().device<Scanner>({ id: 'scanner', role: 'scanner', profile: 'scanner-qr-cr', port: scannerPty.devicePath, baudRate });
      await waitFor(() => thermo.values().length > 0 && scanner.availability === 'online' && scannerSim.isOpen, { what: 'devices up' });

      await Promise.all([busPty.unplug(), scannerPty.unplug()]);
      await waitFor(() => thermo.availability === 'offline' && scanner.availability === 'offline', { what: 'devices offline', timeoutMs: 10_000 });
      expect(scanner.device.status().lastError?.code).toBe('GW_DEVICE_IO');
      expect(['GW_DEVICE_IO', 'GW_DEVICE_TIMEOUT']).toContain(thermo.device.status().lastError?.code);

      await Promise.all([busPty.replug(), scannerPty.replug()]);
      const replugged = performance.now();
      await waitFor(() => thermo.eventsSince(replugged).length > 0, { what: 'thermometer reading after replug', timeoutMs: 15_000 });
      const thermoRecoveredMs = performance.now() - replugged;
      await waitFor(() => scanner.availability === 'online' && scannerSim.isOpen, { what: 'scanner online after replug', timeoutMs: 15_000 });
      scannerSim.send('HP1:after-replug');
      await waitFor(() => scanner.values().includes('HP1:after-replug'), { what: 'scan after replug' });
      const scannerRecoveredMs = performance.now() - replugged;

      expect(thermo.availability).toBe('online');
      expect(thermoRecoveredMs).toBeLessThanOrEqual(RECOVERY_MS);
      expect(scannerRecoveredMs).toBeLessThanOrEqual(RECOVERY_MS);
    });
  }
});
