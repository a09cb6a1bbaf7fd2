import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import { Code, GatewardenError } from '../../errors.js';
import type { Listener } from '../device.js';
import { Listeners } from '../listeners.js';
import { createBackoff, type Backoff } from '../health/backoff.js';
import { eventLoopBinding, receiveOnPoller, writeAtOnce } from './event-loop-binding.js';
import { listSerialPorts } from './list-ports.js';

export interface SerialOptions {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

export type LinkState = { up: true } | { up: false; error: GatewardenError };

/** Retry at least once a second, so a replugged adapter is back well within 5 s. */
const RECONNECT = { initialMs: 100, maxMs: 1_000 };
/**
 * Each open port keeps a read pool of this size (serialport's default is
 * 64 KiB: 3 MB of an idle heap with 48 ports). Frames here are at most a few
 * hundred bytes, and a fuller pool is simply replaced.
 */
const READ_POOL_BYTES = 4096;

/**
 * The single owner of one serial port. It opens the port, reopens it with
 * back-off when it disappears (USB unplug, pty gone) and reports the state;
 * it never opens the same port twice. Protocol errors (CRC, timeouts) are not
 * its business: they never cause a reopen.
 */
export class SerialLink {
  private port: SerialPort | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private running = false;
  private reportedDown = false;
  private readonly backoff: Backoff = createBackoff(RECONNECT);
  private readonly data: Listeners<Buffer>;
  private readonly states: Listeners<LinkState>;
  /** `performance.now()` of the last byte received, for the inter-frame silence. */
  lastReceivedAt = 0;

  constructor(
    readonly options: SerialOptions,
    private readonly log: Logger,
  ) {
    const report = (error: unknown) => log.error({ err: error }, 'serial link listener failed');
    this.data = new Listeners<Buffer>(report);
    this.states = new Listeners<LinkState>(report);
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  onData(listener: Listener<Buffer>): void {
    this.data.add(listener);
  }

  onState(listener: Listener<LinkState>): void {
    this.states.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Writes when the port is open; returns false (and writes nothing) otherwise. */
  write(bytes: Buffer): boolean {
    const port = this.port;
    if (!port?.isOpen) return false;
    const written = writeAtOnce(port, bytes);
    if (written < bytes.length) port.write(written === 0 ? bytes : bytes.subarray(written));
    return true;
  }

  private open(): void {
    const { path, baudRate, dataBits, parity, stopBits } = this.options;
    // SerialPort takes a binding in its options over the detected one; a typed literal would not admit it.
    const options = { path, baudRate, dataBits, parity, stopBits, autoOpen: false, binding: eventLoopBinding, highWaterMark: READ_POOL_BYTES };
    const port = new SerialPort(options);
    // A write to a vanished port surfaces here; the close handler does the recovery.
    port.on('error', (error: Error) => this.log.warn({ err: error, code: Code.GW_DEVICE_IO }, 'serial port error'));
    port.on('close', (error?: Error & { disconnected?: boolean }) => this.closed(port, error));
    this.port = port;
    port.open((error) => {
      if (!this.running || this.port !== port) {
        if (!error) port.close();
        return;
      }
      if (error) {
        void this.down(new GatewardenError('GW_DEVICE_IO', `cannot open ${path}: ${error.message}`));
        return;
      }
      const received = (chunk: Buffer) => this.received(chunk);
      if (!receiveOnPoller(port, READ_POOL_BYTES, received)) port.on('data', received);
      this.backoff.reset();
      this.reportedDown = false;
      this.log.info({ path, baudRate }, 'serial port open');
      this.states.emit({ up: true });
    });
  }

  private received(chunk: Buffer): void {
    this.lastReceivedAt = performance.now();
    this.data.emit(chunk);
  }

  private closed(port: SerialPort, error?: Error): void {
    if (!this.running || this.port !== port) return;
    void this.down(new GatewardenError('GW_DEVICE_IO', `${this.options.path} closed${error ? `: ${error.message}` : ''}`));
  }

  private async down(error: GatewardenError): Promise<void> {
    this.port = undefined;
    this.retryTimer = setTimeout(() => this.open(), this.backoff.next());
    if (this.reportedDown) return;
    this.reportedDown = true;
    this.states.emit({ up: false, error });
    const present = await listSerialPorts(this.log);
    this.log.warn({ code: error.code, err: error, present }, 'serial port down, reconnecting');
  }
}
