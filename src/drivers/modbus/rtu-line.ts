import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ModbusClient } from './modbus-client.js';
import type { Listener } from '../device.js';
import type { LinkState, SerialLink } from '../serial/serial-link.js';
import type { ModbusLine } from './modbus-line.js';
import { expectReply, findReply, silentIntervalMs, type ReplyExpectation } from './rtu-frame.js';
import { Code } from '../../errors.js';

/** Never buffer more than two maximal RTU frames (256 bytes each, Serial Line V1.02 §2.5.1). */
const MAX_PENDING = 512;

/**
 * Modbus RTU over one serial link. modbus-serial encodes requests, times them
 * out and decodes replies; this class is the "port" it writes to, and it
 * decides which received bytes are the reply:
 * - input is discarded before each request, so nothing received earlier can
 *   answer it;
 * - a reply must match the unit, function, byte count and CRC of the request;
 * - frames are separated by the silent interval of §2.5.1.1.
 * The bus adds the late-reply guard after timeouts (see ModbusBus).
 */
export class RtuLine implements ModbusLine {
  readonly client: ModbusClient;
  private readonly port: RtuPortAdapter;
  private pending = Buffer.alloc(0);
  private expected: ReplyExpectation | undefined;
  private lastSentAt = 0;

  constructor(
    private readonly link: SerialLink,
    private readonly log: Logger,
  ) {
    this.port = new RtuPortAdapter(link, (request) => this.send(request));
    this.client = new ModbusClient(this.port);
    this.client.on('error', (error: unknown) => log.warn({ err: error, code: Code.GW_DEVICE_IO }, 'modbus client error'));
    link.onData((chunk) => this.receive(chunk));
    this.client.open();
  }

  get isUp(): boolean {
    return this.link.isOpen;
  }

  start(): void {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  onState(listener: Listener<LinkState>): void {
    this.link.onState(listener);
  }

  async beforeRequest(): Promise<void> {
    this.expected = undefined;
    const lastActivity = Math.max(this.link.lastReceivedAt, this.lastSentAt);
    const silenceLeft = silentIntervalMs(this.link.options.baudRate) - (performance.now() - lastActivity);
    if (silenceLeft > 0) await sleep(silenceLeft);
  }

  private send(request: Buffer): void {
    this.pending = Buffer.alloc(0);
    this.expected = expectReply(request);
    this.lastSentAt = performance.now();
    this.link.write(request);
  }

  private receive(chunk: Buffer): void {
    if (!this.expected) {
      this.log.debug({ bytes: chunk.length }, 'unsolicited bytes dropped');
      return;
    }
    this.pending = Buffer.concat([this.pending, chunk]);
    if (this.pending.length > MAX_PENDING) this.pending = this.pending.subarray(this.pending.length - MAX_PENDING);
    const reply = findReply(this.pending, this.expected);
    if (!reply) return;
    this.expected = undefined;
    this.pending = Buffer.alloc(0);
    this.port.emit('data', reply);
  }
}

/**
 * The port object modbus-serial drives (`new ModbusRTU(port)`). The link opens
 * and reopens the real port, so open and close only report success.
 */
class RtuPortAdapter extends EventEmitter {
  constructor(
    private readonly link: SerialLink,
    private readonly sendRequest: (request: Buffer) => void,
  ) {
    super();
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  open(callback: (error: Error | null) => void): void {
    callback(null);
  }

  close(callback?: (error: Error | null) => void): void {
    callback?.(null);
  }

  write(request: Buffer): void {
    this.sendRequest(request);
  }
}
