/* eslint-disable @typescript-eslint/no-explicit-any -- configs are bent into invalid shapes on purpose */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, validateConfig } from '../../../src/config/load-config.js';
import { GatewardenError } from '../../../src/errors.js';
import { harnessConfig } from '../../../support/gateway/gateway-harness.js';

function errorsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewardenError);
    return [...(error as GatewardenError).details];
  }
  throw new Error('expected the config to be refused');
}

function withChange(change: (config: Record<string, any>) => void): Record<string, unknown> {
  const config = harnessConfig('/tmp/unused') as Record<string, any>;
  change(config);
  return config;
}

describe('config loading', () => {
  it('accepts the shipped demo config and fills in defaults', () => {
    const config = loadConfig('config/demo.yaml');
    expect(config.estate.id).toBe('lotus-garden');
    expect(config.policy.feverThresholdC).toBe(37.3);
    expect(config.policy.maxRemeasures).toBe(2);
    expect(config.policy.feverHoldMinutes).toBe(30);
    expect(config.gates[0]?.lanes[0]?.temperatureEnforcement).toBe('hard');
    expect(Object.isFrozen(config.gates[0])).toBe(true);
  });

  it.each([
    ['a wrong type', (c: Record<string, any>) => (c.policy.feverThresholdC = 'hot'), 'policy.feverThresholdC: expected number'],
    ['an unknown key', (c: Record<string, any>) => (c.policy.feverTreshold = 37), 'policy.feverTreshold: unknown key'],
    ['a missing key', (c: Record<string, any>) => delete c.estate.id, 'estate.id: required key is missing'],
    ['a value outside an enum', (c: Record<string, any>) => (c.gates[0].lanes[0].direction = 'sideways'), 'gates[0].lanes[0].direction: expected one of "in", "out", "both"'],
    ['a number out of range', (c: Record<string, any>) => (c.policy.feverThresholdC = 45), 'policy.feverThresholdC: expected a number <= 37.5'],
    ['a fever threshold a typo away from waving fevers through', (c: Record<string, any>) => (c.policy.feverThresholdC = 38.5), 'policy.feverThresholdC: expected a number <= 37.5'],
    ['replay detection turned off', (c: Record<string, any>) => (c.policy.replayWindowS = 0), 'policy.replayWindowS: expected a number >= 10'],
    ['a negative fever hold', (c: Record<string, any>) => (c.policy.feverHoldMinutes = -5), 'policy.feverHoldMinutes: expected a number >= 0'],
    ['a fever hold in fractions of a minute', (c: Record<string, any>) => (c.policy.feverHoldMinutes = 0.5), 'policy.feverHoldMinutes: expected integer'],
    ['a fever hold of days', (c: Record<string, any>) => (c.policy.feverHoldMinutes = 10_000), 'policy.feverHoldMinutes: expected a number <= 1440'],
    [
      'a missing device reference',
      (c: Record<string, any>) => (c.gates[0].lanes[0].devices.barrier = 'no-such-barrier'),
      'gates[0].lanes[0].devices.barrier: expected the id of a device in devices, "no-such-barrier" is not defined',
    ],
    [
      'a device with the wrong role',
      (c: Record<string, any>) => (c.gates[0].lanes[0].devices.barrier = 'in-thermo'),
      'gates[0].lanes[0].devices.barrier: expected a device with role barrier, "in-thermo" is a thermometer',
    ],
    [
      'an entry lane without a thermometer',
      (c: Record<string, any>) => delete c.gates[0].lanes[0].devices.thermometer,
      'gates[0].lanes[0].devices.thermometer: required when direction is "in" (temperature is checked on entry)',
    ],
    [
      'a two-way lane without an exit scanner',
      (c: Record<string, any>) => (c.gates[0].lanes[0].direction = 'both'),
      'gates[0].lanes[0].devices.exitScanner: required when direction is "both" (one scanner on each side)',
    ],
    ['a duplicate device id', (c: Record<string, any>) => c.devices.push({ id: 'in-scanner', role: 'scanner', driver: 'virtual' }), 'devices[5].id: expected a unique id, "in-scanner" is used twice'],
    [
      'a time zone the runtime does not know',
      (c: Record<string, any>) => (c.estate.timeZone = 'Mars/Olympus'),
      'estate.timeZone: expected an IANA time zone such as Asia/Shanghai, "Mars/Olympus" is not one the runtime knows',
    ],
    ['a broker URL without a scheme', (c: Record<string, any>) => (c.mqtt.broker = { type: 'external', url: 'broker:1883' }), 'mqtt.broker.url: expected a string matching ^mqtts?://'],
  ])('refuses %s, naming the key and the expected value', (_what, change, message) => {
    expect(errorsOf(() => validateConfig(withChange(change), 'test'))).toContain(message);
  });

  it('reports every error at once, not only the first', () => {
    const errors = errorsOf(() =>
      validateConfig(
        withChange((c) => {
          c.policy.feverThresholdC = 'hot';
          c.estate.colour = 'blue';
        }),
        'test',
      ),
    );
    expect(errors).toEqual(expect.arrayContaining(['policy.feverThresholdC: expected number', 'estate.colour: unknown key']));
  });

  it('reports schema and cross-check errors in one pass, without inventing errors about entries the schema refused', () => {
    const errors = errorsOf(() =>
      validateConfig(
        withChange((c) => {
          c.policy.feverThresholdC = 'hot';
          c.gates[0].lanes[0].devices.barrier = 'no-such-barrier';
          // A device without a role: the schema says so; the lane that uses it gets no second message.
          delete c.devices[3].role;
          c.gates = [...c.gates, 'not a gate'];
        }),
        'test',
      ),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        'policy.feverThresholdC: expected number',
        'devices[3].role: required key is missing',
        'gates[1]: expected object',
        'gates[0].lanes[0].devices.barrier: expected the id of a device in devices, "no-such-barrier" is not defined',
      ]),
    );
    expect(errors.filter((error) => error.includes('out-scanner') || error.includes('\u0000'))).toEqual([]);
  });

  it('refuses a card UID or a plate listed twice, under any case or separators, naming both entries', () => {
    const errors = errorsOf(() =>
      validateConfig(
        withChange((c) => {
          c.roster = {
            cards: [
              { uid: '04AABBCCDD', subject: 'resident-1', role: 'resident', household: '1-101' },
              { uid: '04aabbccdd', subject: 'resident-2', role: 'medical', household: '1-102' },
            ],
            vehicles: [
              { plate: '闽D12345', household: '1-101' },
              { plate: '闽D-123 45', household: '1-102' },
              { plate: '闽D54321', household: '1-103' },
            ],
          };
        }),
        'test',
      ),
    );
    expect(errors).toEqual([
      'roster.cards[1].uid: expected a unique card UID, "04AABBCCDD" is also roster.cards[0]',
      'roster.vehicles[1].plate: expected a unique plate, "闽D12345" is also roster.vehicles[0]',
    ]);
  });

  it('refuses two listeners on one port and address, and lets port 0 and distinct addresses be', () => {
    const onPort = (http: Record<string, unknown>, mqttPort = 18830) => withChange((c) => ((c.http = http), (c.mqtt.broker.port = mqttPort)));
    expect(errorsOf(() => validateConfig(onPort({ port: 18830 }), 'test'))).toEqual(['http.port: expected a port no other listener uses, 18830 is also mqtt.broker.port']);
    expect(errorsOf(() => validateConfig(onPort({ host: '0.0.0.0', port: 18830 }), 'test'))).toHaveLength(1);
    expect(() => validateConfig(onPort({ host: '127.0.0.2', port: 18830 }), 'test')).not.toThrow();
    expect(() => validateConfig(onPort({ port: 0 }, 0), 'test')).not.toThrow();
  });

  it('places each error in the YAML, names devices by id and suggests the key meant', () => {
    const yaml = [
      'estate: { id: test-estate, name: Test }',
      'gates:',
      '  - id: main',
      '    name: Main',
      '    lanes:',
      '      - { id: in, direction: out, devices: { scanner: in-scanner, barrier: in-barrier } }',
      'devices:',
      '  - { id: in-scanner, role: scanner, driver: virtual }',
      '  - id: in-barrier',
      '    role: barrier',
      '    driver: virtual',
      '    rol: barrier',
      'polcy: {}',
    ].join('\n');
    expect(errorsOf(() => parseConfig(yaml, 'e.yaml'))).toEqual([
      'e.yaml:12:5: devices[1] (in-barrier).rol: unknown key (did you mean "role"?)',
      'e.yaml:13:1: polcy: unknown key (did you mean "policy"?)',
      // A key missing at the top has no line of its own: listed after the placed ones.
      'policy: required key is missing',
      'mqtt: required key is missing',
    ]);
  });

  it('refuses YAML that does not parse, with the position', () => {
    const errors = errorsOf(() => parseConfig('estate: [unclosed', 'broken.yaml'));
    // file:line:col, the message, then the line itself with a caret under the place (issue 16: not cut after the position).
    expect(errors.join('\n')).toMatch(/^broken\.yaml:1:\d+: Flow sequence .+\n {4}estate: \[unclosed\n {4}\s*\^$/);
  });

  it('refuses a file that does not exist', () => {
    expect(() => loadConfig('/nonexistent/gatewarden.yaml')).toThrow(/cannot read config/);
  });

  it('ships a demo config with no secrets in it', () => {
    const text = readFileSync('config/demo.yaml', 'utf8');
    expect(text).not.toMatch(/password\s*:/i);
    expect(loadConfig('config/demo.yaml').secrets.generate).toBe(true);
  });
});
