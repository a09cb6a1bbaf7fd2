import type { Logger } from 'pino';
import { SerialPort } from 'serialport';

/**
 * Paths of the serial ports the OS reports, for diagnostics only. On Linux
 * `SerialPort.list()` shells out to udevadm, which containers usually lack;
 * then it rejects, and the answer is an empty list, never a crash.
 */
export async function listSerialPorts(log: Logger): Promise<string[]> {
  try {
    const ports = await SerialPort.list();
    return ports.map((port) => port.path);
  } catch (error) {
    log.debug({ err: error }, 'serial port listing unavailable');
    return [];
  }
}
