import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { GatewardenError } from '../errors.js';
import type { HttpConfig } from './config-schema.js';

/** The certificate and key the HTTPS listener serves. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 of the DER certificate, colon-separated hex: what the tablet shows as the fingerprint. */
  fingerprint256: string;
  certFile: string;
  generated: boolean;
}

/**
 * iPadOS and macOS refuse a TLS server certificate valid for more than 825
 * days even when the user trusts it by hand (Apple, "Requirements for trusted
 * certificates in iOS 13 and macOS 10.15").
 */
const VALIDITY_DAYS = 825;
/** A generated certificate this close to its end is made anew at start, before the tablet starts refusing it. */
const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;
const GENERATED = { cert: 'guard-room-cert.pem', key: 'guard-room-key.pem' } as const;

/**
 * The configured certificate (`http.tls.certFile`/`keyFile`) or, when none is
 * configured, a self-signed one kept in `dataDir` (mode 0600), made on first
 * run and again when it nears its end.
 */
export async function tlsMaterial(tls: HttpConfig['tls'], dataDir: string, now: Date, log: Logger): Promise<TlsMaterial> {
  if (tls.certFile !== undefined || tls.keyFile !== undefined) {
    if (tls.certFile === undefined || tls.keyFile === undefined) throw new GatewardenError('GW_CONFIG_INVALID', 'http.tls: certFile and keyFile go together (or neither, for a generated certificate)');
    return load(tls.certFile, tls.keyFile, false);
  }
  const certFile = join(dataDir, GENERATED.cert);
  const keyFile = join(dataDir, GENERATED.key);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const existing = load(certFile, keyFile, true);
    const notAfter = Date.parse(new X509Certificate(existing.cert).validTo);
    if (notAfter - now.getTime() > RENEW_BEFORE_DAYS * DAY_MS) return existing;
    log.warn({ certFile, notAfter: new Date(notAfter).toISOString() }, 'generated HTTPS certificate near its end: making a new one (its fingerprint changes)');
  }
  const altNames = [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...lanAddresses(), ...(isWildcard(tls.host) ? [] : [tls.host]), ...tls.altNames])];
  let pems: { cert: string; private: string };
  try {
    // Loaded here: selfsigned and its ASN.1 stack (about 6 MB) serve only the first start with TLS on.
    const { generate } = await import('selfsigned');
    pems = await generate([{ name: 'commonName', value: `gatewarden guard room (${hostname()})` }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - DAY_MS),
      notAfterDate: new Date(now.getTime() + VALIDITY_DAYS * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: altNames.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })) },
      ],
    });
  } catch (error) {
    throw new GatewardenError('GW_HTTP_TLS', `cannot make a self-signed certificate: ${(error as Error).message}`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writePrivate(keyFile, pems.private);
  writePrivate(certFile, pems.cert);
  log.info({ certFile, keyFile, altNames }, 'self-signed HTTPS certificate made for the guard-room page');
  return load(certFile, keyFile, true);
}

function load(certFile: string, keyFile: string, generated: boolean): TlsMaterial {
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    return { cert, key, fingerprint256: new X509Certificate(cert).fingerprint256, certFile, generated };
  } catch (error) {
    throw new GatewardenError('GW_HTTP_TLS', `cannot load the HTTPS certificate ${certFile} or key ${keyFile}: ${(error as Error).message}`);
  }
}

/** writeFileSync's mode applies only to a new file; chmod covers one left by an earlier run. */
function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** This host's own addresses on the LAN, which a tablet would type. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address !== undefined && !address.internal)
    .map((address) => (address as { address: string }).address.split('%')[0] as string);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** 127.0.0.0/8, ::1 and `localhost`: where plain HTTP may stay when TLS serves the LAN. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
