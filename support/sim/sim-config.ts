import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { validateConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../src/secrets.js';

export interface SimConfig {
  config: Readonly<Config>;
  /** Signs health passes the gateway trusts (its key is in trust.issuers). */
  issuer: PassIssuer;
}

export interface Relocation {
  /** Pty links, the database and the secrets go here instead of the paths in the file. */
  dir: string;
  /** Modbus TCP port for the simulated TCP devices (a free one in tests). */
  tcpPort: number;
}

/**
 * Reads a simulated-estate config (config/sim.yaml), adds a health-pass issuer
 * generated for this run to its trust list and validates it. Tests and benches
 * relocate it: ports, files and the Modbus TCP port move to their own, and the
 * broker and the HTTP API take free ports, so runs never collide.
 */
export function loadSimConfig(path: string, relocate?: Relocation, change?: (raw: Record<string, unknown>) => void): SimConfig {
  const raw = parse(readFileSync(path, 'utf8')) as RawConfig;
  const key = generateEd25519('sim-issuer');
  raw.trust = { ...raw.trust, issuers: [...(raw.trust?.issuers ?? []), { kid: key.kid, publicKey: key.publicKey }] };
  if (relocate) relocateInto(raw, relocate);
  change?.(raw as unknown as Record<string, unknown>);
  return { config: validateConfig(raw, path), issuer: new PassIssuer(key.kid, key.privateKey) };
}

interface RawConfig {
  trust?: { issuers?: unknown[] };
  devices: Array<{ port?: string; tcpPort?: number; host?: string }>;
  mqtt: { broker: { port?: number } };
  http?: { port?: number; enabled?: boolean };
  storage: { path?: string };
  secrets: { path?: string };
}

function relocateInto(raw: RawConfig, { dir, tcpPort }: Relocation): void {
  for (const device of raw.devices) {
    if (device.port !== undefined) device.port = join(dir, basename(device.port));
    if (device.host !== undefined) device.tcpPort = tcpPort;
  }
  raw.mqtt.broker.port = 0;
  raw.http = { ...raw.http, port: 0 };
  raw.storage.path = join(dir, 'gatewarden.db');
  raw.secrets.path = join(dir, 'secrets.json');
}
