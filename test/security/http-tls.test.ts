import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getPinned, HttpProcess } from './http-process.js';

const TLS_LOG = 'guard-room page over HTTPS; check this certificate fingerprint on the tablet';
const TLS = { enabled: true, host: '127.0.0.1', port: 0 };

/** Issue 12, observation 9: "No TLS. The page has none." */
describe('http: the guard-room page over HTTPS', () => {
  const gateways: HttpProcess[] = [];
  const fresh = (http: Record<string, unknown>) => {
    const gateway = new HttpProcess(http);
    gateways.push(gateway);
    return gateway;
  };
  afterEach(async () => {
    for (const gateway of gateways.splice(0)) await gateway.remove();
  });

  it('makes a self-signed certificate on first run (0600, beside the secrets), logs its fingerprint and serves the page with it', async () => {
    const gateway = fresh({ tls: TLS });
    await gateway.start();
    const logged = gateway.log(TLS_LOG);
    const url = String(logged?.url);
    const fingerprint = String(logged?.fingerprint256);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const page = await getPinned(`${url}/`, fingerprint);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<!doctype html>');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");

    const certFile = join(gateway.dir, 'guard-room-cert.pem');
    const keyFile = join(gateway.dir, 'guard-room-key.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(certFile).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(readFileSync(certFile));
    expect(cert.fingerprint256).toBe(fingerprint);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    // Plain HTTP stays, on the loopback address only.
    expect((await gateway.get('/healthz')).status).toBe(200);

    // The same certificate on the next start: the tablet's trust holds.
    await gateway.stop();
    await gateway.start();
    expect(gateway.log(TLS_LOG)?.fingerprint256).toBe(fingerprint);
  }, 90_000);

  it('serves a certificate from the config', async () => {
    const gateway = fresh({ tls: TLS });
    const certFile = join(gateway.dir, 'own-cert.pem');
    const keyFile = join(gateway.dir, 'own-key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=gate.example', '-days', '2', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const own = new X509Certificate(readFileSync(certFile)).fingerprint256;
    const config = JSON.parse(readFileSync(gateway.configPath, 'utf8')) as { http: Record<string, unknown> };
    config.http.tls = { ...TLS, certFile, keyFile };
    writeFileSync(gateway.configPath, JSON.stringify(config));
    await gateway.start();
    expect(gateway.log(TLS_LOG)?.fingerprint256).toBe(own);
    const page = await getPinned(`${String(gateway.log(TLS_LOG)?.url)}/`, own);
    expect(page.status).toBe(200);
  }, 60_000);

  it('refuses plain HTTP on a LAN address next to HTTPS, and an HTTPS-only set-up has no plain listener', async () => {
    const lan = fresh({ host: '0.0.0.0', tls: TLS });
    const refused = await lan.failedStart();
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('GW_CONFIG_INVALID');
    expect(refused.stderr).toContain('http.host');

    const httpsOnly = fresh({ plain: false, tls: TLS });
    await httpsOnly.start();
    expect(httpsOnly.url).toMatch(/^https:/);
    expect(httpsOnly.lines.filter((l) => typeof l.url === 'string' && String(l.url).startsWith('http://'))).toEqual([]);
  }, 60_000);
});

