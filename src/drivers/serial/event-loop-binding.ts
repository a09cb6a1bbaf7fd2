import { readSync, writeSync } from 'node:fs';
import type { BindingInterface, BindingPortInterface, OpenOptions, PortStatus, SetOptions, UpdateOptions } from '@serialport/bindings-cpp';
import { SerialPort } from 'serialport';

/** What the unix port bindings of serialport carry beside the portable interface. */
interface UnixPort extends BindingPortInterface {
  fd: number | null;
  poller: { once(event: 'readable' | 'writable', callback: (error: Error | null) => void): unknown };
}

type IoError = Error & { code?: string; disconnect?: boolean };

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

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    for (;;) {
      const bytesRead = this.attempt(() => readSync(this.openFd(), buffer, offset, length, null));
      if (bytesRead > 0) return { buffer, bytesRead };
      await this.when('readable');
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
