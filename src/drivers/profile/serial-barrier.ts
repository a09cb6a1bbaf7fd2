import { GatewardenError } from '../../errors.js';
import type { Barrier, Listener } from '../device.js';
import type { Shared } from '../port-registry.js';
import { terminatorBytes } from '../serial/create-framer.js';
import type { SerialLink } from '../serial/serial-link.js';
import type { ActionsSpec } from './actuator-schema.js';
import type { DeviceContext } from './device-context.js';
import { LineDevice } from './line-device.js';

type Answer = 'ack' | 'nack';

/**
 * A barrier controller with an ASCII command port: one command at a time, each
 * answered by an ack (or a nack) within timeoutMs. No answer is retried as the
 * profile says; a nack is final. Unsolicited passage frames are passages.
 */
export class SerialBarrier extends LineDevice implements Barrier {
  readonly role = 'barrier' as const;
  readonly hasPassageSensor: boolean;
  private readonly passages = this.channel<{ at: number }>('passage');
  private readonly patterns: { ack: RegExp; nack: RegExp | undefined; passage: RegExp | undefined };
  private pending: ((answer: Answer, frame: string) => void) | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    context: DeviceContext,
    shared: Shared<SerialLink>,
    private readonly actions: ActionsSpec,
  ) {
    super(context, shared);
    this.hasPassageSensor = actions.passage !== undefined;
    this.patterns = {
      ack: new RegExp(actions.ack),
      nack: actions.nack === undefined ? undefined : new RegExp(actions.nack),
      passage: actions.passage === undefined ? undefined : new RegExp(actions.passage),
    };
  }

  onPassage(listener: Listener<{ at: number }>): void {
    this.passages.add(listener);
  }

  release(): Promise<void> {
    return this.command(this.actions.release);
  }

  holdOpen(): Promise<void> {
    return this.command(this.actions.holdOpen);
  }

  lock(): Promise<void> {
    return this.command(this.actions.lock);
  }

  protected accept(frame: string): void {
    if (this.patterns.passage?.test(frame)) {
      this.passages.emit({ at: this.clock.now() });
    } else if (this.pending && this.patterns.ack.test(frame)) {
      this.pending('ack', frame);
    } else if (this.pending && this.patterns.nack?.test(frame)) {
      this.pending('nack', frame);
    } else {
      this.log.debug({ frame }, 'unexpected frame from barrier');
    }
  }

  private command(text: string): Promise<void> {
    const run = () => this.exchange(text);
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async exchange(text: string): Promise<void> {
    if (!this.mayRequest()) throw new GatewardenError('GW_BARRIER_NO_ACK', `${this.id} is offline (circuit open)`);
    // Made only on failure: an error captures a stack, and this runs for every opening.
    let lastError: GatewardenError | undefined;
    for (let attempt = 0; attempt <= this.context.timing.retries; attempt += 1) {
      try {
        const answer = await this.sendAndWait(text);
        if (answer === 'ack') {
          this.health.succeeded();
          return;
        }
        // A refusal is the controller's final word (a drive fault): no retry.
        lastError = new GatewardenError('GW_BARRIER_NO_ACK', `${this.id} refused ${text}`);
        break;
      } catch (error) {
        lastError = error as GatewardenError;
      }
    }
    lastError ??= new GatewardenError('GW_BARRIER_NO_ACK', `${this.id}: no answer to ${text}`);
    this.health.failed(lastError);
    this.log.warn({ code: lastError.code, err: lastError }, `${text} not acknowledged`);
    throw lastError;
  }

  private sendAndWait(text: string): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const timeoutMs = this.context.timing.timeoutMs;
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new GatewardenError('GW_BARRIER_NO_ACK', `${this.id}: no answer to ${text} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = (answer) => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve(answer);
      };
      if (!this.send(Buffer.concat([Buffer.from(text, 'latin1'), terminatorBytes(this.framing)]))) {
        clearTimeout(timer);
        this.pending = undefined;
        reject(new GatewardenError('GW_DEVICE_IO', `${this.id}: port is closed`));
      }
    });
  }
}
