/* eslint-disable @typescript-eslint/no-explicit-any -- configs are bent into invalid shapes on purpose */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/load-config.js';
import { configErrors } from '../../helpers/config-errors.js';
import { harnessConfig } from '../../../support/gateway/gateway-harness.js';

/** The harness config with its entry thermometer replaced by a profile device (devices[1]). */
function withThermometer(settings: Record<string, unknown>): Record<string, unknown> {
  const config = harnessConfig('/tmp/unused') as Record<string, any>;
  config.devices[1] = { id: 'in-thermo', role: 'thermometer', driver: 'profile', ...settings };
  return config;
}

describe('profile devices in the config', () => {
  it('accepts a Modbus RTU thermometer on a port and a Modbus TCP one on a host', () => {
    expect(() => validateConfig(withThermometer({ profile: 'thermo-rtu-int16', port: '/dev/ttyUSB0', unitId: 2, baudRate: 19200, pollMs: 200 }), 'test')).not.toThrow();
    expect(() => validateConfig(withThermometer({ profile: 'thermo-modbus-float32', host: '10.0.0.5', tcpPort: 1502 }), 'test')).not.toThrow();
  });

  it.each([
    [{ profile: 'thermo-rtu-int16', port: '/dev/ttyUSB0', baud: 9600 }, 'devices[1].baud: unknown key'],
    [{ profile: 'thermo-rtu-int16', port: '/dev/ttyUSB0', unitId: 300 }, 'devices[1].unitId: expected a number <= 247'],
    [{ profile: 'thermo-rtu-int16', port: '/dev/ttyUSB0', pollMs: 'fast' }, 'devices[1].pollMs: expected integer'],
    [{ profile: 'no-such-model', port: '/dev/ttyUSB0' }, 'devices[1].profile: expected the name of a profile in'],
    [{ profile: 'thermo-rtu-int16' }, 'devices[1].port: required key is missing (profile thermo-rtu-int16 is modbus-rtu)'],
    [{ profile: 'thermo-modbus-float32', port: '/dev/ttyUSB0' }, 'devices[1].host: required key is missing'],
    [{ profile: 'thermo-ascii-push', port: '/dev/ttyS1', unitId: 1 }, 'devices[1].unitId: not used by profile thermo-ascii-push'],
    [{ profile: 'scanner-qr-cr', port: '/dev/ttyS1' }, 'devices[1].role: expected scanner (the role of profile scanner-qr-cr), got thermometer'],
  ])('refuses %j with a key-path error', (settings, expected) => {
    const errors = configErrors(withThermometer(settings));
    expect(errors.some((line) => line.startsWith(expected)), errors.join('\n')).toBe(true);
  });

  it('takes a plate reader in the scanner slot of a vehicle lane only', () => {
    const config = harnessConfig('/tmp/unused') as Record<string, any>;
    config.devices[0] = { id: 'in-scanner', role: 'plate-reader', driver: 'profile', profile: 'plate-reader-serial', port: '/dev/ttyS2' };
    expect(configErrors(config)).toEqual(['gates[0].lanes[0].devices.scanner: expected a device with role scanner, "in-scanner" is a plate-reader']);
    config.gates[0].lanes[0].kind = 'vehicle';
    expect(() => validateConfig(config, 'test')).not.toThrow();
  });

  it('names an unknown driver once, not the keys of both kinds', () => {
    const config = harnessConfig('/tmp/unused') as Record<string, any>;
    config.devices[1].driver = 'modbus';
    expect(configErrors(config)).toEqual(['devices[1].driver: expected one of "virtual", "profile"']);
  });
});
