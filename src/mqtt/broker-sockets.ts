import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { LogSummary } from '../log-summary.js';
import { plainAddress } from './broker-hooks.js';
import { guardPacketSize } from './broker-packet-guard.js';
import type { BrokerSlots } from './broker-slots.js';

/**
 * What is cut before aedes sees a socket: too many sockets not logged in (the
 * pre-login pool of broker-slots.ts) and an oversized packet
 * (broker-packet-guard.ts). Plain sockets, the in-process stream and TLS
 * sockets all come in here.
 */
export class BrokerSockets {
  private readonly dropped: LogSummary;
  /** TCP sockets of TLS clients still in their handshake, by peer: their slot passes to the TLS socket. */
  private readonly handshaking = new Map<string, Socket>();

  constructor(
    private readonly broker: Aedes,
    private readonly slots: BrokerSlots,
    private readonly maxPacketBytes: number,
    private readonly log: Logger,
  ) {
    this.dropped = new LogSummary(log, 'mqtt sockets refused or evicted before login: too many not logged in');
  }

  /** A socket of the plain listener. */
  readonly onSocket = (socket: Socket): void => {
    // MQTT packets are small: without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold a command or its reply back by tens of ms.
    socket.setNoDelay(true);
    this.handle(socket, plainAddress(socket.remoteAddress));
  };

  /** TLS: the TCP socket is counted from its accept, before any handshake. */
  readonly onTcpForTls = (raw: Socket): void => {
    if (!this.accept(raw, plainAddress(raw.remoteAddress))) return;
    const key = peerKey(raw);
    this.handshaking.set(key, raw);
    raw.once('close', () => this.handshaking.delete(key));
  };

  /** The handshake is done: the TCP socket's slot passes to the TLS socket. */
  readonly onTlsSocket = (socket: TLSSocket): void => {
    const key = peerKey(socket);
    const raw = this.handshaking.get(key);
    this.handshaking.delete(key);
    if (!raw) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.slots.transfer(raw, socket);
    socket.once('close', () => this.slots.release(socket));
    this.serve(socket, plainAddress(socket.remoteAddress));
  };

  handle(socket: Duplex, address: string): void {
    if (this.accept(socket, address)) this.serve(socket, address);
  }

  /** Logs what was refused since the last summary. */
  flush(): void {
    this.dropped.flush();
  }

  /** Counts the socket in the pre-login pool from its accept; closes it, or the oldest pending one, when the pool is full. */
  private accept(socket: Duplex, address: string): boolean {
    const verdict = this.slots.accept(socket, address);
    if (!verdict.ok) {
      this.dropped.count('refused', address);
      socket.destroy();
      return false;
    }
    if (verdict.evicted) {
      this.dropped.count('evicted', address);
      (verdict.evicted as Duplex).destroy();
    }
    socket.once('close', () => this.slots.release(socket));
    return true;
  }

  private serve(socket: Duplex, address: string): void {
    const { maxPacketBytes, log } = this;
    this.broker.handle(socket);
    // After handle(): aedes' 'readable' listener keeps control of the flow (see broker-packet-guard.ts).
    socket.once('data', () => this.slots.spoke(socket));
    guardPacketSize(socket, maxPacketBytes, (announced) => log.warn({ address, announced, maxPacketBytes }, 'mqtt socket cut: packet larger than allowed'));
  }
}

const peerKey = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
