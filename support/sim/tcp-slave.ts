import { createServer, type Server, type Socket } from 'node:net';
import { RegisterBank } from './register-bank.js';
import { healthyFaults, type UnitFaults } from './unit-faults.js';

/**
 * A Modbus TCP server on 127.0.0.1 (Messaging on TCP/IP V1.0b §3.1.3: MBAP
 * header of transaction id, protocol 0, length, unit id, then the PDU).
 */
export class TcpSlave {
  readonly bank = new RegisterBank();
  readonly faults: UnitFaults = healthyFaults();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(port = 0): Promise<void> {
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // Bounded: each pass consumes one complete ADU.
      while (pending.length >= 8 && pending.length >= 6 + pending.readUInt16BE(4)) {
        const length = 6 + pending.readUInt16BE(4);
        this.reply(socket, Buffer.from(pending.subarray(0, length)));
        pending = pending.subarray(length);
      }
    });
  }

  private reply(socket: Socket, adu: Buffer): void {
    if (this.faults.silent) return;
    const pdu = this.bank.handle(adu.subarray(7));
    const header = Buffer.alloc(7);
    header.writeUInt16BE(adu.readUInt16BE(0), 0);
    header.writeUInt16BE(pdu.length + 1, 4);
    header[6] = adu[6]!;
    const send = () => socket.writable && socket.write(Buffer.concat([header, pdu]));
    if (this.faults.delayMs > 0) setTimeout(send, this.faults.delayMs);
    else send();
  }
}
