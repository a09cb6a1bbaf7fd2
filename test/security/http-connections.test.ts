import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/gateway/gateway-harness.js';
import { HttpProcess } from './http-process.js';

/**
 * Found from outside: the page's listener took every socket offered, so
 * 20,000 idle sockets used up the process's open files (the broker's logins
 * with them), and a request refused with 401 whose body kept trickling held
 * its socket 100 s. One address may hold 128 sockets; a refused request ends
 * its connection.
 */
describe('http: connections an outsider can hold', () => {
  const gateway = new HttpProcess();
  const sockets: Socket[] = [];

  beforeAll(() => gateway.start(), 40_000);
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await gateway.remove();
  });

  const open = (port: number, localAddress: string) =>
    new Promise<Socket>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress });
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.once('connect', () => resolve(socket));
      socket.once('close', () => resolve(socket));
    });

  it('keeps at most 128 idle sockets of one address open, and the manager still gets in from another', async () => {
    const port = Number(new URL(gateway.url).port);
    const idle = await Promise.all(Array.from({ length: 200 }, () => open(port, '127.0.7.2')));
    await waitFor(() => idle.filter((s) => !s.destroyed && !s.closed).length <= 128 || undefined, 'the sockets past the limit closed', 5_000);
    expect(idle.filter((s) => !s.destroyed && !s.closed).length).toBeGreaterThan(0);
    expect((await gateway.get('/api/lanes', 'manager')).status).toBe(200);
  }, 30_000);

  it('closes the connection of a request refused with 401 while its body still trickles in', async () => {
    const port = Number(new URL(gateway.url).port);
    const socket = await open(port, '127.0.7.3');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write('POST /api/mode/lockdown HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer gw_not-a-token\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"reason":');
    const closedAt = await new Promise<number>((resolve) => {
      const started = Date.now();
      const trickle = setInterval(() => socket.write(' '), 200);
      socket.once('close', () => {
        clearInterval(trickle);
        resolve(Date.now() - started);
      });
      setTimeout(() => {
        clearInterval(trickle);
        resolve(Number.POSITIVE_INFINITY);
      }, 10_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(closedAt).toBeLessThan(5_000);
  }, 20_000);
});
