import { GatewardenError } from '../../errors.js';

/**
 * Our RTU client fails with coded errors, which get the request's name in
 * front. modbus-serial (TCP) reports failures as plain errors; this maps them
 * to our codes: no answer in time → GW_DEVICE_TIMEOUT, port not open →
 * GW_DEVICE_IO, and a CRC error, a malformed frame or a Modbus exception →
 * GW_DEVICE_PROTOCOL.
 */
export function toDeviceError(error: unknown, what: string): GatewardenError {
  if (error instanceof GatewardenError) return new GatewardenError(error.code, `${what}: ${error.message}`, error.details);
  const cause = error as { name?: string; message?: string; errno?: string };
  const message = `${what}: ${cause.message ?? String(error)}`;
  if (cause.name === 'TransactionTimedOutError' || cause.errno === 'ETIMEDOUT') return new GatewardenError('GW_DEVICE_TIMEOUT', message);
  if (cause.name === 'PortNotOpenError') return new GatewardenError('GW_DEVICE_IO', message);
  return new GatewardenError('GW_DEVICE_PROTOCOL', message);
}
