import { readSync, writeSync } from 'node:fs';
import type { BindingInterface, BindingPortInterface, OpenOptions, PortStatus, SetOptions, UpdateOptions } from '@serialport/bindings-cpp';
import { SerialPort } from 'serialport';

/** What the unix port bindings of serialport carry beside the portable interface. */
interface UnixPort extends BindingPortInterface {
  fd: number | null;
  poller: {
    once(event: 'readable' | 'writable', callback: (error: Error | null) => void): unknown;
    on(event: 'readable', callback: (error: Error | null) => void): unknown;
    /** Arms the poll for the flagged events; each fires once per arming. */
    poll(events: number): void;
  };
}

type IoError = Error & { code?: string; disconnect?: boolean; canceled?: boolean };

/** The poller's flag for "readable" (bindings-cpp EVENTS.UV_READABLE). */
const UV_READABLE = 1;
/** A read pool with less room left than this is replaced (serialport's own kMinPoolSpace). */
const MIN_POOL_SPACE = 128;

/** Codes after which the port is gone (closed, unplugged), as serialport's own unix read and write treat them. */
const DISCONNECTED = new Set(['EBADF', 'ENXIO', 'EIO', 'UNKNOWN']);

/**
 * serialport's unix bindings read and write through the libuv thread pool:
 * each reply costs a poll, a hop to a pool thread for read(2) and a hop back,
 * and each request a hop for write(2). On a shared 2-core machine those thread
 * wake-ups were most of a Modbus round trip (issue 14: the driver's main-thread
 * work was about 25 µs a read, its median round trip 2–3× libmodbus's). The
 * port is opened non-blocking, so read(2) and write(2) can be called on the
 * event loop itself: they return at once with what is there, or EAGAIN, and
 * then the binding's own poller says when to try again. Opening, closing,
 * termios and locking stay with serialport.
 */
class EventLoopPort implements BindingPortInterface {
  constructor(private readonly port: UnixPort) {}

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  get openOptions(): BindingPortInterface['openOptions'] {
    return this.port.openOptions;
  }

  /**
   * Waits for the poller before each read(2): the stream asks for more right
   * after each chunk, when there is nearly never anything yet, and each EAGAIN
   * came back as a thrown error with a stack trace. The poll is level-triggered,
   * so bytes already there are reported at once.
   */
  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    for (;;) {
      await this.when('readable');
      const bytesRead = this.attempt(() => readSync(this.openFd(), buffer, offset, length, null));
      if (bytesRead > 0) return { buffer, bytesRead };
    }
  }

  /**
   * Reads on the poller's own callback, without the stream, until the port
   * closes: each chunk goes to `onChunk` as it is read, a failed read to
   * `onFailure`. The stream's read, push and next-tick steps were about 20 µs
   * between the readable event and the bytes (issue 14). Chunks are cut from a
   * pool that is replaced, never reused, as serialport's are, so a listener may
   * keep one. The stream must not read as well: nothing may listen to its data.
   */
  receive(poolBytes: number, onChunk: (chunk: Buffer) => void, onFailure: (error: Error) => void): void {
    let pool = Buffer.allocUnsafe(poolBytes);
    let used = 0;
    const readable = (error: Error | null): void => {
      if (error) {
        if (!(error as IoError).canceled) onFailure(error);
        return;
      }
      if (pool.length - used < MIN_POOL_SPACE) {
        pool = Buffer.allocUnsafe(poolBytes);
        used = 0;
      }
      let bytesRead: number;
      try {
        bytesRead = this.attempt(() => readSync(this.openFd(), pool, used, pool.length - used, null));
      } catch (failure) {
        if (!(failure as IoError).canceled) onFailure(failure as Error);
        return;
      }
      if (bytesRead > 0) {
        used += bytesRead;
        onChunk(pool.subarray(used - bytesRead, used));
      }
      if (this.port.isOpen) this.port.poller.poll(UV_READABLE);
    };
    this.port.poller.on('readable', readable);
    this.port.poller.poll(UV_READABLE);
  }

  /** One write(2) now: the bytes taken, or 0 when the port would block or the write failed (the stream's write then meets the failure and reports it). */
  writeNow(buffer: Buffer): number {
    try {
      return writeSync(this.openFd(), buffer);
    } catch {
      return 0;
    }
  }

  async write(buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      const written = this.attempt(() => writeSync(this.openFd(), buffer, offset));
      offset += written;
      if (offset < buffer.length) await this.when('writable');
    }
  }

  close(): Promise<void> {
    return this.port.close();
  }

  update(options: UpdateOptions): Promise<void> {
    return this.port.update(options);
  }

  set(options: SetOptions): Promise<void> {
    return this.port.set(options);
  }

  get(): Promise<PortStatus> {
    return this.port.get();
  }

  getBaudRate(): Promise<{ baudRate: number }> {
    return this.port.getBaudRate();
  }

  flush(): Promise<void> {
    return this.port.flush();
  }

  drain(): Promise<void> {
    return this.port.drain();
  }

  private openFd(): number {
    if (!this.port.isOpen || this.port.fd === null) throw Object.assign(new Error('Port is not open'), { canceled: true });
    return this.port.fd;
  }

  /** Runs one non-blocking read or write: the byte count, 0 for "try again later", or a thrown error marked as a disconnect when it is one. */
  private attempt(io: () => number): number {
    try {
      return io();
    } catch (error) {
      const { code } = error as IoError;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') return 0;
      if (code !== undefined && DISCONNECTED.has(code)) (error as IoError).disconnect = true;
      throw error;
    }
  }

  private when(event: 'readable' | 'writable'): Promise<void> {
    return new Promise((resolve, reject) => this.port.poller.once(event, (error) => (error ? reject(error) : resolve())));
  }
}

/**
 * Writes what the port takes at once, past the stream (issue 14: the stream's
 * write machinery was about 13 µs of a Modbus request). Only when the stream
 * has nothing queued, so bytes keep their order; returns how many were taken,
 * and the caller hands the rest to the stream.
 */
export function writeAtOnce(port: SerialPort, bytes: Buffer): number {
  const binding = port.port;
  return binding instanceof EventLoopPort && port.writableLength === 0 ? binding.writeNow(bytes) : 0;
}

/**
 * Hands the port's bytes to `onChunk` as the poller reports them (see
 * EventLoopPort.receive); a failed read disconnects the port as the stream's
 * own read does. False when the port is not on this binding: then the caller
 * listens to the stream.
 */
export function receiveOnPoller(port: SerialPort, poolBytes: number, onChunk: (chunk: Buffer) => void): boolean {
  const binding = port.port;
  if (!(binding instanceof EventLoopPort)) return false;
  binding.receive(poolBytes, onChunk, (error) => port._disconnected(error));
  return true;
}

function isUnixPort(port: BindingPortInterface): port is UnixPort {
  return 'poller' in port && 'fd' in port;
}

const platformBinding = SerialPort.binding as BindingInterface;

/** serialport's binding for this platform, with reads and writes on the event loop where the port is a unix file descriptor. */
export const eventLoopBinding: BindingInterface = {
  list: () => platformBinding.list(),
  async open(options: OpenOptions): Promise<BindingPortInterface> {
    const port = await platformBinding.open(options);
    return isUnixPort(port) ? new EventLoopPort(port) : port;
  },
};
