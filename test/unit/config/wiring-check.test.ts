/* eslint-disable @typescript-eslint/no-explicit-any -- configs are bent into invalid shapes on purpose */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/load-config.js';
import type { DeviceConfig } from '../../../src/config/schema.js';
import { checkWiring } from '../../../src/config/wiring-check.js';
import { SHIPPED_PROFILES_DIR } from '../../../src/drivers/profile/profiles-dir.js';
import { configErrors } from '../../helpers/config-errors.js';
import { harnessConfig } from '../../../support/gateway/gateway-harness.js';

const BUS = '/dev/ttyUSB0';

function device(id: string, role: string, profile: string, where: Record<string, unknown> = { port: BUS }): DeviceConfig {
  return { id, role, driver: 'profile', profile, ...where } as DeviceConfig;
}

const thermo = (where: Record<string, unknown> = {}) => device('north-thermo', 'thermometer', 'thermo-rtu-int16', { port: BUS, unitId: 1, ...where });
const barrier = (where: Record<string, unknown> = {}) => device('north-barrier', 'barrier', 'barrier-relay-rtu', { port: BUS, unitId: 3, ...where });
const lights = (where: Record<string, unknown> = {}) => device('north-indicator', 'indicator', 'indicator-relay-rtu', { port: BUS, unitId: 4, ...where });

const wiring = (devices: DeviceConfig[], dir = SHIPPED_PROFILES_DIR) => checkWiring(devices, dir);

describe('devices on one Modbus unit', () => {
  it('accepts a thermometer, a barrier and an indicator on one bus, each on its own unit (config/sim.yaml)', () => {
    expect(wiring([thermo(), barrier(), lights()])).toEqual([]);
  });

  it('accepts two devices on one unit when their addresses differ, or are in different tables', () => {
    // The thermometer's holding register 0 and the relay board's coil 0 are different Modbus tables.
    expect(wiring([thermo({ unitId: 3 }), barrier()])).toEqual([]);
  });

  it('refuses an indicator whose output is the release coil of a barrier on its unit (issue 11, observation 5)', () => {
    const expected =
      'devices[2] (north-indicator).unitId: expected an indicator apart from the barrier\'s release coil, output "green" is coil 0 of unit 3 on /dev/ttyUSB0, ' +
      'the release coil of devices[1] (north-barrier): a grant or refer signal would open the barrier';
    expect(wiring([thermo(), barrier(), lights({ unitId: 3 })])).toEqual([expected]);
  });

  it('sees one port under any spelling: doubled or dot segments, a symlink, localhost for 127.0.0.1 (found from outside)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-wiring-'));
    try {
      const bus = join(dir, 'bus1');
      writeFileSync(bus, '');
      symlinkSync(bus, join(dir, 'link'));
      for (const spelling of [`${dir}//bus1`, `${dir}/./bus1`, `${dir}/../${basename(dir)}/bus1`, join(dir, 'link')]) {
        expect(wiring([barrier({ port: bus }), lights({ port: spelling, unitId: 3 })])).toHaveLength(1);
      }
      const tcp = (id: string, host: string) => device(id, 'thermometer', 'thermo-modbus-float32', { host, unitId: 1 });
      expect(wiring([tcp('a', '127.0.0.1'), tcp('b', 'localhost')])).not.toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the indicator whichever of the two is listed first', () => {
    expect(wiring([lights({ unitId: 3 }), barrier()])).toEqual([
      'devices[0] (north-indicator).unitId: expected an indicator apart from the barrier\'s release coil, output "green" is coil 0 of unit 3 on /dev/ttyUSB0, ' +
        'the release coil of devices[1] (north-barrier): a grant or refer signal would open the barrier',
    ]);
  });

  it('refuses two barriers on one relay board unit, listing every overlapping coil and input', () => {
    const second = device('south-barrier', 'barrier', 'barrier-relay-rtu', { port: BUS, unitId: 3 });
    expect(wiring([barrier(), second])).toEqual([
      'devices[1] (south-barrier).unitId: expected coils and registers apart from devices[0] (north-barrier), which is also unit 3 on /dev/ttyUSB0: ' +
        'coil 0 (relay.releaseCoil) overlaps coil 0 (relay.releaseCoil); discrete input 0 (relay.passageInput) overlaps discrete input 0 (relay.passageInput)',
    ]);
  });

  it('takes the unit id from the profile when the device sets none', () => {
    // Both profiles default to unit 1 (thermo-rtu-int16) and unit 3 (barrier-relay-rtu): a second default thermometer collides.
    const defaults = [device('a-thermo', 'thermometer', 'thermo-rtu-int16'), device('b-thermo', 'thermometer', 'thermo-rtu-int16')];
    expect(wiring(defaults)).toEqual([
      'devices[1] (b-thermo).unitId: expected coils and registers apart from devices[0] (a-thermo), which is also unit 1 on /dev/ttyUSB0: holding register 0 (reading) overlaps holding register 0 (reading)',
    ]);
  });

  it('groups Modbus TCP devices by host, TCP port and unit', () => {
    const tcp = (id: string, where: Record<string, unknown>) => device(id, 'thermometer', 'thermo-modbus-float32', { host: '10.0.0.5', ...where });
    expect(wiring([tcp('a', {}), tcp('b', { tcpPort: 1502 }), tcp('c', { unitId: 2 }), tcp('d', { host: '10.0.0.6' })])).toEqual([]);
    expect(wiring([tcp('a', {}), tcp('b', { tcpPort: 502 })])).toEqual([
      'devices[1] (b).unitId: expected coils and registers apart from devices[0] (a), which is also unit 1 on 10.0.0.5:502: ' +
        'input registers 16-17 (reading) overlaps input registers 16-17 (reading); holding register 256 (trigger.write) overlaps holding register 256 (trigger.write)',
    ]);
  });

  it('does not mix an RTU unit with the same unit id on another port', () => {
    expect(wiring([barrier(), lights({ unitId: 3, port: '/dev/ttyUSB1' })])).toEqual([]);
  });
});

describe('devices on one serial port', () => {
  it('refuses two Modbus devices on one port at different baud rates, naming the key to change', () => {
    expect(wiring([thermo({ baudRate: 19200 }), barrier()])).toEqual([
      'devices[1] (north-barrier).baudRate: expected baudRate 19200 like devices[0] (north-thermo) on port /dev/ttyUSB0 (one port runs one set of serial settings), got 9600 (from profile barrier-relay-rtu)',
    ]);
    expect(wiring([thermo(), barrier({ baudRate: 19200 })])).toEqual([
      'devices[1] (north-barrier).baudRate: expected baudRate 9600 like devices[0] (north-thermo) on port /dev/ttyUSB0 (one port runs one set of serial settings), got 19200',
    ]);
    expect(wiring([thermo({ baudRate: 19200 }), barrier({ baudRate: 19200 })])).toEqual([]);
  });

  describe('with a profile that frames the line differently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatewarden-profiles-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(SHIPPED_PROFILES_DIR, dir, { recursive: true });
    const shipped = readFileSync(join(dir, 'thermo-rtu-int16.yaml'), 'utf8');
    writeFileSync(join(dir, 'thermo-rtu-8e1.yaml'), shipped.replace('model: thermo-rtu-int16', 'model: thermo-rtu-8e1').replace('  baudRate: 9600\n', '  baudRate: 9600\n  parity: even\n'));

    it('refuses parity the profile fixes, pointing at the profile', () => {
      const even = device('even-thermo', 'thermometer', 'thermo-rtu-8e1', { port: BUS, unitId: 2 });
      expect(wiring([thermo(), even], dir)).toEqual([
        'devices[1] (even-thermo).profile: expected parity none like devices[0] (north-thermo) on port /dev/ttyUSB0 (one port runs one set of serial settings), got even (from profile thermo-rtu-8e1)',
      ]);
    });
  });

  it('refuses a serial-line device that shares its port with anything', () => {
    const scanner = device('north-qr', 'scanner', 'scanner-qr-cr');
    expect(wiring([thermo(), scanner])).toEqual([
      'devices[1] (north-qr).port: expected a port of its own, /dev/ttyUSB0 is also used by devices[0] (north-thermo) (devices[1] (north-qr) is a serial-line device, which owns its port alone)',
    ]);
    expect(wiring([scanner, device('south-qr', 'scanner', 'scanner-qr-cr')])).toHaveLength(1);
  });

  it('leaves a device with a missing profile, or without its port or host, to the settings check', () => {
    expect(wiring([thermo(), device('ghost', 'thermometer', 'no-such-model')])).toEqual([]);
    const unwired = (id: string) => device(id, 'thermometer', 'thermo-rtu-int16', {});
    const unhosted = (id: string) => device(id, 'thermometer', 'thermo-modbus-float32', { port: BUS });
    expect(wiring([unwired('a'), unwired('b'), unhosted('c'), unhosted('d')])).toEqual([]);
  });
});

describe('the config validation', () => {
  it('runs the wiring check with the shipped profiles, after the per-device checks', () => {
    const config = harnessConfig('/tmp/unused') as Record<string, any>;
    config.devices[1] = { ...thermo(), id: 'in-thermo' };
    config.devices[2] = { ...barrier(), id: 'in-barrier' };
    config.devices.push({ ...lights({ unitId: 3 }), id: 'in-lights' });
    config.gates[0].lanes[0].devices.indicator = 'in-lights';
    expect(configErrors(config)).toEqual([
      'devices[5] (in-lights).unitId: expected an indicator apart from the barrier\'s release coil, output "green" is coil 0 of unit 3 on /dev/ttyUSB0, ' +
        'the release coil of devices[2] (in-barrier): a grant or refer signal would open the barrier',
    ]);
    config.devices[5].unitId = 4;
    expect(() => validateConfig(config, 'test')).not.toThrow();
  });

  it('accepts an embedded broker with no keys but its type, and fills in the host and port it declares', () => {
    const config = validateConfig(harnessConfig('/tmp/unused', { mqtt: { broker: { type: 'embedded' } } }), 'test');
    expect(config.mqtt.broker).toEqual({ type: 'embedded', host: '127.0.0.1', port: 1883 });
  });

  it.each([
    [{}, ['mqtt.broker.type: required key is missing']],
    [{ type: 'cloud' }, ['mqtt.broker.type: expected one of "embedded", "external"']],
    [{ type: 'embedded', url: 'mqtt://x' }, ['mqtt.broker.url: unknown key']],
    [{ type: 'external' }, ['mqtt.broker.url: required key is missing']],
  ])('refuses the broker %j naming only the keys of its type', (broker, expected) => {
    expect(configErrors(harnessConfig('/tmp/unused', { mqtt: { broker } }))).toEqual(expected);
  });
});
