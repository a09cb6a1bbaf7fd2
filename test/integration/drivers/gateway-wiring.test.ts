import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PtyPair } from '../../../support/sim/pty-pair.js';
import { RtuSlaveBus } from '../../../support/sim/rtu-slave-bus.js';
import { setTemperature } from '../../../support/sim/modbus-sim.js';
import { startHarness, waitFor } from '../../../support/gateway/gateway-harness.js';
import { createIssuer } from '../../helpers/health-pass-issuer.js';
import { RESIDENT, showCardThenPass } from '../../helpers/resident.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { profile } from './harness.js';

const issuer = createIssuer('district-health');

/** The gateway's entry thermometer as a Modbus RTU profile device on `port`; everything else virtual. The resident's pass issuer is trusted. */
function withModbusThermometer(port: string) {
  return {
    trust: { maxAgeHours: 24, issuers: [{ kid: issuer.kid, publicKey: issuer.publicKey }] },
    devices: [
      { id: 'in-scanner', role: 'scanner', driver: 'virtual' },
      { id: 'in-thermo', role: 'thermometer', driver: 'profile', profile: 'thermo-rtu-int16', port, pollMs: 100 },
      { id: 'in-barrier', role: 'barrier', driver: 'virtual' },
      { id: 'out-scanner', role: 'scanner', driver: 'virtual' },
      { id: 'out-barrier', role: 'barrier', driver: 'virtual' },
    ],
  };
}

describeWithTools(['socat'], 'profile devices in the gateway', () => {
  it('starts with a thermometer whose port is missing, and refers scans on its lane with DEVICE_FAULT', async () => {
    const harness = await startHarness(withModbusThermometer('/tmp/gw-wiring-no-such-port'));
    try {
      const thermometer = harness.gateway.devices.get('in-thermo')!;
      expect(thermometer.status().availability).toBe('offline');
      showCardThenPass(harness.scanner('in-scanner'), issuer.issue({ sub: RESIDENT.subject }));
      const referred = await waitFor(() => harness.passages.find((p) => p.lane === 'in'), 'a passage on the entry lane');
      expect(referred.decision.verdict).toBe('refer');
      expect(referred.decision.reasons).toContain('DEVICE_FAULT');
    } finally {
      await harness.stop();
    }
  });

  it('reads a Modbus thermometer through the gateway once its port is there, and closes the port on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-wiring-'));
    const pair = PtyPair.inDir(dir, 'bus');
    await pair.start();
    const slaves = new RtuSlaveBus({ path: pair.simPath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    setTemperature(slaves.unit(1).bank, await profile('thermo-rtu-int16'), 36.4);
    slaves.start();
    const harness = await startHarness(withModbusThermometer(pair.devicePath));
    try {
      const thermometer = harness.gateway.devices.get('in-thermo')!;
      await waitFor(() => thermometer.status().availability === 'online', 'thermometer online');
      showCardThenPass(harness.scanner('in-scanner'), issuer.issue({ sub: RESIDENT.subject }));
      const passage = await waitFor(() => harness.passages.find((p) => p.lane === 'in'), 'a passage on the entry lane');
      expect(passage.decision.verdict).toBe('grant');
      expect(passage.temperatureC).toBeCloseTo(36.4, 1);
      await harness.stop();
      // The port registry stopped with the gateway: the unit hears no more requests.
      const requests = slaves.requests;
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(slaves.requests).toBe(requests);
    } finally {
      await slaves.stop();
      await pair.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
