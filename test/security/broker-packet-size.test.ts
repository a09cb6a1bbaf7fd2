import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, rawSocket, remainingLength } from './broker-process.js';

const ANNOUNCED = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x41);

/**
 * Streams a CONNECT that announces 100 MB, without ever logging in, until the
 * broker cuts the socket, everything is sent, or 20 s pass. Resolves with the bytes the
 * socket took.
 */
async function oversizedConnect(socket: Socket): Promise<number> {
  let sent = 0;
  let closed = false;
  socket.on('error', () => (closed = true));
  socket.on('close', () => (closed = true));
  const deadline = Date.now() + 20_000;
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve) => {
      if (socket.write(chunk)) resolve();
      else {
        const done = () => resolve();
        socket.once('drain', done);
        socket.once('close', done);
      }
    });
  await write(Buffer.concat([Buffer.from([0x10]), remainingLength(ANNOUNCED)]));
  while (!closed && sent < ANNOUNCED && Date.now() < deadline) {
    await write(CHUNK);
    sent += CHUNK.length;
  }
  socket.destroy();
  return sent;
}

/** Issue 12, observation 1: four unauthenticated 100 MB CONNECTs grew the gateway by 362 MB for good. */
describe('broker: packet size is capped before authentication', () => {
  let gateway: BrokerProcess;

  beforeAll(async () => {
    gateway = await BrokerProcess.start();
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  it('cuts four unauthenticated 100 MB CONNECTs at the fixed header, and the process does not grow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = gateway.rssKiB();
    const sockets = await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'].map((address) => rawSocket(gateway.port, address)));
    const sent = await Promise.all(sockets.map((socket) => oversizedConnect(socket)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const grownMiB = (gateway.rssKiB() - before) / 1024;

    // Cut early: what a socket took before the cut is its kernel buffers, not 100 MB.
    for (const bytes of sent) expect(bytes).toBeLessThan(16 * 1024 * 1024);
    expect(grownMiB).toBeLessThan(48);
    expect(gateway.lines.filter((line) => line.msg === 'mqtt socket cut: packet larger than allowed')).toHaveLength(4);

    // The broker still serves its users.
    const manager = await gateway.login('manager', { clientId: 'manager-after-flood' });
    expect(manager.result).toBe('connected');
    await manager.client.endAsync(true);
  }, 60_000);
});
