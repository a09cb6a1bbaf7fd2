import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Config } from '../../src/config/schema.js';
import { validateConfig } from '../../src/config/load-config.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import type { PassageRecord } from '../../src/core/lane-types.js';
import type { VirtualBarrier } from '../../src/drivers/virtual/virtual-barrier.js';
import type { VirtualScanner } from '../../src/drivers/virtual/virtual-scanner.js';
import type { VirtualThermometer } from '../../src/drivers/virtual/virtual-thermometer.js';

/**
 * A whole gateway on virtual devices in a temp dir: real SQLite file, real
 * embedded broker on a free port, secrets generated. One gate `main` with an
 * entry lane `in` and an exit lane `out`.
 */
export function harnessConfig(dir: string, overrides: Partial<Record<keyof Config, unknown>> = {}): Record<string, unknown> {
  return {
    estate: { id: 'test-estate', name: 'Test Estate' },
    gates: [
      {
        id: 'main',
        name: 'Main gate',
        lanes: [
          { id: 'in', direction: 'in', devices: { scanner: 'in-scanner', thermometer: 'in-thermo', barrier: 'in-barrier' } },
          { id: 'out', direction: 'out', devices: { scanner: 'out-scanner', barrier: 'out-barrier' } },
        ],
      },
    ],
    devices: [
      { id: 'in-scanner', role: 'scanner', driver: 'virtual' },
      { id: 'in-thermo', role: 'thermometer', driver: 'virtual' },
      { id: 'in-barrier', role: 'barrier', driver: 'virtual' },
      { id: 'out-scanner', role: 'scanner', driver: 'virtual' },
      { id: 'out-barrier', role: 'barrier', driver: 'virtual' },
    ],
    policy: { version: 'test-1', measureTimeoutMs: 1500, passageTimeoutMs: 1500 },
    trust: { maxAgeHours: 24, issuers: [] },
    roster: { cards: [{ uid: '04AABBCCDD', subject: 'resident-1', role: 'resident', household: '1-101' }] },
    mqtt: { broker: { type: 'embedded', host: '127.0.0.1', port: 0 } },
    http: { enabled: false, host: '127.0.0.1', port: 0 },
    storage: { path: join(dir, 'gatewarden.db'), synchronous: 'normal' },
    secrets: { path: join(dir, 'secrets.json'), generate: true },
    demo: { crowd: false },
    ...overrides,
  };
}

export interface Harness {
  dir: string;
  gateway: Gateway;
  passages: PassageRecord[];
  scanner(id: string): VirtualScanner;
  thermometer(id: string): VirtualThermometer;
  barrier(id: string): VirtualBarrier;
  stop(): Promise<void>;
}

export async function startHarness(
  overrides: Partial<Record<keyof Config, unknown>> = {},
  options: Partial<Omit<GatewayOptions, 'config'>> = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'gatewarden-'));
  const config = validateConfig(harnessConfig(dir, overrides), 'harness');
  const passages: PassageRecord[] = [];
  const gateway = await startGateway({
    config,
    log: pino({ level: process.env.GATEWARDEN_TEST_LOG ?? 'silent' }),
    onPassage: (passage) => passages.push(passage),
    ...options,
  });
  const device = <T>(id: string) => {
    const found = gateway.devices.get(id);
    if (!found) throw new Error(`no device ${id}`);
    return found as T;
  };
  return {
    dir,
    gateway,
    passages,
    scanner: (id) => device<VirtualScanner>(id),
    thermometer: (id) => device<VirtualThermometer>(id),
    barrier: (id) => device<VirtualBarrier>(id),
    async stop() {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
