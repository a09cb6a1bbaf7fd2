import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ModbusClient } from './modbus-client.js';
import type { Listener } from '../device.js';
import type { LinkState, SerialLink } from '../serial/serial-link.js';
import type { ModbusLine } from './modbus-line.js';
import { expectReply, findReply, silentIntervalMs, type ReplyExpectation } from './rtu-frame.js';

/** Never buffer more than two maximal RTU frames (256 bytes each, Serial Line V1.02 §2.5.1). */
const MAX_PENDING = 512;

/**
 * Modbus RTU over one serial link. modbus-serial encodes requests, times them
 * out and decodes replies; this class is the "port" it writes to, and it
 * decides which received bytes are the reply:
 * - input is discarded before each request, so nothing received earlier can
 *   answer it;
 * - a reply must match the unit, function, byte count and CRC of the request;
 * - after a unit timed out, the next request to that unit waits out a guard time,
 *   so its late reply arrives while nobody is listening for it.
 * A reply later than timeout + guard cannot be told apart on RTU, which has no
 * transaction id; the guard is sized for the slowest device on the bus.
 */
export class RtuLine implements ModbusLine {
  readonly client: ModbusClient;
  private readonly port: RtuPortAdapter;
  private pending = Buffer.alloc(0);
  private expected: ReplyExpectation | undefined;
  private lastSentAt = 0;
  private readonly quietUntil = new Map<number, number>();

  constructor(
    private readonly link: SerialLink,
    private readonly log: Logger,
  ) {
    this.port = new RtuPortAdapter(link, (request) => this.send(request));
    this.client = new ModbusClient(this.port);
    this.client.on('error', (error: unknown) => log.warn({ err: error, code: 'GW_DEVICE_IO' }, 'modbus client error'));
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

  async beforeRequest(unitId: number): Promise<void> {
    this.expected = undefined;
    const guardLeft = (this.quietUntil.get(unitId) ?? 0) - performance.now();
    if (guardLeft > 0) await sleep(guardLeft);
    this.quietUntil.delete(unitId);
    const lastActivity = Math.max(this.link.lastReceivedAt, this.lastSentAt);
    const silenceLeft = silentIntervalMs(this.link.options.baudRate) - (performance.now() - lastActivity);
    if (silenceLeft > 0) await sleep(silenceLeft);
  }

  afterTimeout(unitId: number, guardMs: number): void {
    this.expected = undefined;
    this.quietUntil.set(unitId, performance.now() + guardMs);
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
