import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTools } from '../../support/tools/system-tools.js';
import { waitFor } from '../../support/gateway/gateway-harness.js';
import { BrokerProcess, rawSocket } from './broker-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HOSTS = Array.from({ length: 8 }, (_, i) => `127.0.2.${i + 2}`);

/**
 * Holds 8 idle sockets (no CONNECT, no TLS hello) per host of `hosts` open on
 * `port`, reopening each as the broker cuts it, until `stop()`. Bounded: at
 * most `maxOpened` sockets in all.
 */
function idleFlood(port: number, hosts: readonly string[], maxOpened = 3000) {
  const open = new Set<Socket>();
  let running = true;
  let opened = 0;
  const keep = async (host: string) => {
    while (running && opened < maxOpened) {
      opened += 1;
      try {
        const socket = await rawSocket(port, host);
        socket.on('error', () => {});
        open.add(socket);
        await new Promise((resolve) => socket.once('close', resolve));
        open.delete(socket);
      } catch {
        // Refused at once: try again shortly.
      }
      await sleep(100);
    }
  };
  const loops = hosts.flatMap((host) => Array.from({ length: 8 }, () => keep(host)));
  return {
    open,
    get opened() {
      return opened;
    },
    async stop() {
      running = false;
      for (const socket of open) socket.destroy();
      await Promise.all(loops);
    },
  };
}

/** Resolves with how long the server took to close `socket`. */
const closedAfter = (socket: Socket) => {
  const started = performance.now();
  return new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - started)));
};

const dropLines = (gateway: BrokerProcess) => gateway.lines.filter((line) => line.msg === 'mqtt sockets refused or evicted before login: too many not logged in');

/**
 * Issue 12, second outside test: 64 idle sockets that never send CONNECT (8
 * per host from 127.0.2.2–9, reopened as the broker cut them after 10 s)
 * blocked every MQTT login, the manager's included.
 */
describe('broker: idle sockets before login cannot hold the pre-login pool', () => {
  let gateway: BrokerProcess;

  beforeAll(async () => {
    gateway = await BrokerProcess.start();
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  it('lets the manager log in through 64 idle sockets from 8 hosts, cuts an idle socket after 5 s, and sums the drops up in few log lines', async () => {
    // Two hosts more than the pool holds, so sockets are evicted all along.
    const flood = idleFlood(gateway.port, [...HOSTS, '127.0.2.10', '127.0.2.11']);
    try {
      const until = performance.now() + 10_000;
      while (flood.open.size < 64 && performance.now() < until) await sleep(50);
      expect(flood.open.size).toBeGreaterThanOrEqual(60);
      for (let i = 0; i < 3; i += 1) {
        const login = await gateway.login('manager', { clientId: `manager-through-idle-${i}` });
        expect(login.result).toBe('connected');
        await login.client.endAsync(true);
      }
    } finally {
      await flood.stop();
    }
    // The CONNECT deadline: 5 s (it was 10 s).
    const ms = await closedAfter(await rawSocket(gateway.port, '127.0.2.20'));
    expect(ms).toBeGreaterThan(4000);
    expect(ms).toBeLessThan(7000);
    // Hundreds of sockets dropped, one summary line with the counts per 10 s.
    await waitFor(() => dropLines(gateway).length >= 2, 'the second summary line', 15_000);
    const lines = dropLines(gateway);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(3);
    const evicted = lines.reduce((sum, line) => sum + Number(line.evicted ?? 0), 0);
    expect(evicted).toBeGreaterThan(20);
  }, 60_000);
});

/** Issue 12, second outside test: the MQTTS port had no pre-login limit and no handshake timeout; 5,000 raw sockets that never started TLS stayed open. */
describeWithTools(['openssl'], 'broker: raw sockets on the MQTTS port count before the TLS handshake', () => {
  let gateway: BrokerProcess;
  let tlsPort = 0;

  beforeAll(async () => {
    const dir = join(process.env.TMPDIR ?? '/tmp', `gw-mqtts-${process.pid}`);
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    gateway = await BrokerProcess.start({ tls: { port: 0, certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } });
    tlsPort = Number(gateway.lines.find((line) => line.msg === 'embedded MQTT broker listening')?.tlsPort);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  it('keeps at most the pre-login pool of raw sockets open, lets a TLS login through, and cuts a silent one after 5 s', async () => {
    expect(tlsPort).toBeGreaterThan(0);
    const flood = idleFlood(tlsPort, [...HOSTS, '127.0.2.10', '127.0.2.11'], 400);
    try {
      await sleep(2000);
      // 80 held open by the attacker; the gateway keeps at most 64 (its pool) of them. The flood reopens what is cut,
      // so the attacker's own count runs ahead of the gateway's for a moment: wait for a moment at or under the pool
      // (without the pool all 80 stay open and it never comes).
      await waitFor(() => flood.open.size <= 64 || undefined, 'the attacker holding no more sockets than the pool', 8_000);
      const secure = await new Promise<boolean>((resolve) => {
        const socket = tlsConnect({ port: tlsPort, host: '127.0.0.1', rejectUnauthorized: false }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      expect(secure).toBe(true);
    } finally {
      await flood.stop();
    }
    const ms = await closedAfter(await rawSocket(tlsPort, '127.0.2.21'));
    expect(ms).toBeGreaterThan(4000);
    expect(ms).toBeLessThan(7000);
  }, 60_000);
});
