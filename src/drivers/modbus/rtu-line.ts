import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { GatewardenError } from '../../errors.js';
import type { Listener } from '../device.js';
import type { LinkState, SerialLink } from '../serial/serial-link.js';
import type { ModbusLine } from './modbus-line.js';
import { RtuClient } from './rtu-client.js';
import { expectReply, findReply, silentIntervalMs, type ReplyExpectation } from './rtu-frame.js';

/** Never buffer more than two maximal RTU frames (256 bytes each, Serial Line V1.02 §2.5.1). */
const MAX_PENDING = 512;
const NOTHING = Buffer.alloc(0);

/** The request on the wire: who is waiting for its reply, how long, and what they make of it. */
interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timeoutMs: number;
  decode: (reply: Buffer) => unknown;
}

/**
 * Modbus RTU over one serial link. The client (rtu-client.ts) encodes
 * requests and decodes replies; this class sends them, times them out and
 * decides which received bytes are the reply:
 * - input is discarded before each request, so nothing received earlier can
 *   answer it;
 * - a reply must match the unit, function, byte count and CRC of the request;
 * - frames are separated by the silent interval of §2.5.1.1.
 * The bus adds the late-reply guard after timeouts (see ModbusBus).
 */
export class RtuLine implements ModbusLine {
  readonly client = new RtuClient((request, timeoutMs, decode) => this.transact(request, timeoutMs, decode));
  private pending: Buffer = NOTHING;
  private expected: ReplyExpectation | undefined;
  private waiting: Waiting | undefined;
  private lastSentAt = 0;
  /**
   * One timer for all requests, re-armed with refresh() while the timeout
   * stays the same: a new timer per request, and clearing it on each reply,
   * cost a timer list and a priority-queue update every time (issue 14). It
   * stays armed after a reply; firing with nothing on the wire does nothing.
   */
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;

  constructor(
    private readonly link: SerialLink,
    private readonly log: Logger,
  ) {
    link.onData((chunk) => this.receive(chunk));
  }

  get isUp(): boolean {
    return this.link.isOpen;
  }

  start(): void {
    this.link.start();
  }

  /** A request still on the wire keeps its timer, and is refused when it runs out. */
  stop(): Promise<void> {
    if (!this.waiting) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return this.link.stop();
  }

  onState(listener: Listener<LinkState>): void {
    this.link.onState(listener);
  }

  beforeRequest(): Promise<void> | undefined {
    this.expected = undefined;
    const lastActivity = Math.max(this.link.lastReceivedAt, this.lastSentAt);
    const silenceLeft = silentIntervalMs(this.link.options.baudRate) - (performance.now() - lastActivity);
    return silenceLeft > 0 ? sleep(silenceLeft) : undefined;
  }

  /**
   * Writes first and then sets up the wait: the reply can only be taken in a
   * later poll callback, and the bookkeeping then runs while the request is
   * already on its way instead of delaying it (issue 14). The reply is
   * decoded as it is taken, so the caller's promise settles with the result
   * without a further hop.
   */
  private transact<T>(request: Buffer, timeoutMs: number, decode: (reply: Buffer) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.settle();
      if (!this.link.write(request)) {
        reject(new GatewardenError('GW_DEVICE_IO', 'port not open'));
        return;
      }
      this.lastSentAt = performance.now();
      this.expected = expectReply(request);
      this.waiting = { resolve: resolve as (value: unknown) => void, reject, timeoutMs, decode };
      this.armTimer(timeoutMs);
    });
  }

  private armTimer(timeoutMs: number): void {
    if (this.timer && this.timerMs === timeoutMs) {
      this.timer.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.timerMs = timeoutMs;
    this.timer = setTimeout(() => this.timedOut(), timeoutMs);
  }

  /** The timer was last armed by the request on the wire, if there is one. */
  private timedOut(): void {
    const waiting = this.settle();
    waiting?.reject(new GatewardenError('GW_DEVICE_TIMEOUT', `no reply within ${waiting.timeoutMs} ms`));
  }

  /** Ends the request on the wire: later bytes are unsolicited. */
  private settle(): Waiting | undefined {
    const waiting = this.waiting;
    this.waiting = undefined;
    this.expected = undefined;
    this.pending = NOTHING;
    return waiting;
  }

  private receive(chunk: Buffer): void {
    if (!this.expected) {
      this.log.debug({ bytes: chunk.length }, 'unsolicited bytes dropped');
      return;
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length > MAX_PENDING) this.pending = this.pending.subarray(this.pending.length - MAX_PENDING);
    const reply = findReply(this.pending, this.expected);
    if (reply) this.answer(reply);
  }

  private answer(reply: Buffer): void {
    const waiting = this.settle();
    if (!waiting) return;
    try {
      waiting.resolve(waiting.decode(reply));
    } catch (error) {
      waiting.reject(error);
    }
  }
}
