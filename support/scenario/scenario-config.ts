import { join } from 'node:path';
import { trustedKey, type CommandSigner } from '../signed-commands.js';

/**
 * The scenario estate: gate `main` with a pedestrian entry and exit lane (both
 * with a thermometer, since lockdown screens both ways) and a vehicle entry and
 * exit lane; gate `east` with one pedestrian entry lane. Virtual devices, a real
 * SQLite file and the embedded broker on a free 127.0.0.1 port. MQTT commands
 * must be signed (the default): by the manager key generated with the secrets,
 * or by one of `signers`.
 */
export function scenarioConfig(dir: string, issuer: { kid: string; publicKey: string }, start: number, signers: readonly CommandSigner[] = []): Record<string, unknown> {
  const pedestrian = (id: string, direction: 'in' | 'out', prefix: string) => ({
    id,
    direction,
    devices: { scanner: `${prefix}-scanner`, thermometer: `${prefix}-thermo`, barrier: `${prefix}-barrier` },
  });
  const vehicle = (id: string, direction: 'in' | 'out', prefix: string) => ({ id, direction, kind: 'vehicle', devices: { scanner: `${prefix}-reader`, barrier: `${prefix}-barrier` } });
  const devices = ['main-in', 'main-out', 'east-in'].flatMap((p) => ['scanner', 'thermo', 'barrier'].map((role) => device(`${p}-${role}`)));
  devices.push(...['main-car-in', 'main-car-out'].flatMap((p) => [device(`${p}-reader`), device(`${p}-barrier`)]));
  return {
    estate: { id: 'scenario-estate', name: 'Scenario Estate' },
    gates: [
      { id: 'main', name: 'Main gate', lanes: [pedestrian('in', 'in', 'main-in'), pedestrian('out', 'out', 'main-out'), vehicle('car-in', 'in', 'main-car-in'), vehicle('car-out', 'out', 'main-car-out')] },
      { id: 'east', name: 'East gate', lanes: [pedestrian('in', 'in', 'east-in')] },
    ],
    devices,
    policy: { version: 'scenario-1', measureTimeoutMs: 1500, passageTimeoutMs: 2000, suspectedCaseContacts: ['district CDC +86-592-0000000', 'community police 110'] },
    trust: { maxAgeHours: null, refreshedAt: new Date(start).toISOString(), issuers: [{ kid: issuer.kid, publicKey: issuer.publicKey }] },
    roster: { cards: [] },
    mqtt: { broker: { type: 'embedded', host: '127.0.0.1', port: 0 } },
    commands: { keys: signers.map(trustedKey) },
    http: { enabled: false, host: '127.0.0.1', port: 0 },
    storage: { path: join(dir, 'gatewarden.db'), synchronous: 'normal' },
    secrets: { path: join(dir, 'secrets.json'), generate: true },
    demo: { crowd: false },
  };
}

function device(id: string): { id: string; role: string; driver: 'virtual' } {
  const role = id.endsWith('thermo') ? 'thermometer' : id.endsWith('barrier') ? 'barrier' : 'scanner';
  return { id, role, driver: 'virtual' };
}

/** Merges the timeline's `config` over the base: objects key by key, everything else replaced. */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!over) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isObject(current) && isObject(value) ? mergeConfig(current, value) : value;
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
