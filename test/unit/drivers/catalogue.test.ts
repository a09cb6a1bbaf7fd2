import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractValue, terminatorBytes } from '../../../src/drivers/serial/create-framer.js';
import { listProfiles, loadProfile, validateProfile } from '../../../src/drivers/profile/load-profile.js';
import { ProfileDeviceSettings } from '../../../src/drivers/profile-device-settings.js';
import { makeValidator } from '../../../src/schema/validate.js';
import { GatewardenError } from '../../../src/errors.js';

const devicesDir = fileURLToPath(new URL('../../../devices', import.meta.url));

describe('device catalogue', async () => {
  const names = await listProfiles(devicesDir);

  it('ships the models issue 3 asks for', async () => {
    const profiles = await Promise.all(names.map((name) => loadProfile(devicesDir, name)));
    const count = (role: string) => profiles.filter((profile) => profile.role === role).length;
    expect([count('thermometer'), count('scanner'), count('barrier'), count('plate-reader'), count('indicator')]).toEqual([3, 2, 2, 1, 1]);
  });

  it.each(names)('%s passes the profile schema and its cross-checks', async (name) => {
    await expect(loadProfile(devicesDir, name)).resolves.toMatchObject({ model: name });
  });

  it.each(names)('%s: the simulator examples are accepted by the profile’s own patterns', async (name) => {
    const profile = await loadProfile(devicesDir, name);
    const framing = profile.framing;
    if (!framing) return;
    const payload = profile.simulator.frame.replace('{value}', '36.5');
    const frame = framing.kind === 'regex' ? payload : payload + terminatorBytes(framing).toString('latin1');
    if (framing.kind === 'regex') expect(extractValue(Buffer.from(frame), framing)).toBe('36.5');
    for (const [answer, pattern] of [
      [profile.simulator.ack, profile.actions?.ack],
      [profile.simulator.nack, profile.actions?.nack],
      [profile.simulator.passage, profile.actions?.passage],
    ] as const) {
      if (pattern !== undefined) expect(new RegExp(pattern).test(answer ?? '')).toBe(true);
    }
  });
});

describe('profile validation errors', () => {
  const base = { model: 'x', description: 'x', role: 'thermometer', transport: { kind: 'modbus-rtu' }, timing: {} };

  function errorsOf(data: unknown): readonly string[] {
    try {
      validateProfile(structuredClone(data), 'x', 'x.yaml');
      return [];
    } catch (error) {
      return (error as GatewardenError).details;
    }
  }

  it('reports schema errors by key path', () => {
    expect(errorsOf({ ...base, transport: { kind: 'modbus-ascii' }, colour: 'red' })).toEqual(
      expect.arrayContaining(['colour: unknown key', 'transport.kind: expected one of "modbus-rtu", "modbus-tcp", "serial-line", "local"']),
    );
  });

  it('reports the sections a role needs on its transport', () => {
    expect(errorsOf(base)).toEqual(expect.arrayContaining([expect.stringMatching(/^plausible: required/), expect.stringMatching(/^reading: required/)]));
    expect(errorsOf({ ...base, role: 'scanner', transport: { kind: 'modbus-tcp' } })).toContain('transport.kind: scanner is not supported over modbus-tcp');
  });

  it('reports bad expressions, unknown indicator outputs and a model that is not the file name', () => {
    const scanner = { ...base, role: 'scanner', transport: { kind: 'serial-line' }, framing: { terminator: 'cr', match: '([' } };
    expect(errorsOf(scanner)).toEqual([expect.stringMatching(/^framing\.match: expected a regular expression/)]);
    const indicator = {
      ...base,
      role: 'indicator',
      indicator: { outputs: { green: { coil: 0 } }, signals: { idle: [], grant: ['green'], deny: ['red'], refer: [], busy: [] } },
    };
    expect(errorsOf(indicator)).toEqual(['indicator.signals.deny: unknown output "red"']);
    expect(errorsOf({ ...scanner, model: 'y', framing: { terminator: 'cr' } })).toEqual(['model: expected "x" (the file name)']);
  });
});

describe('ProfileDeviceSettings', () => {
  const validator = makeValidator(ProfileDeviceSettings);

  it('accepts a unit on a bus and rejects unknown keys and broadcast unit 0', () => {
    expect(validator.check({ id: 'gate1-thermo', role: 'thermometer', driver: 'profile', profile: 'thermo-rtu-int16', port: '/dev/ttyUSB0', unitId: 2 })).toEqual([]);
    expect(validator.check({ id: 'a', role: 'scanner', driver: 'profile', profile: 'scanner-qr-cr', unitId: 0, speed: 1 })).toEqual(
      expect.arrayContaining(['speed: unknown key', 'unitId: expected a number >= 1']),
    );
  });
});
