import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ModbusBus } from '../../../src/drivers/modbus/modbus-bus.js';
import type { ModbusClient } from '../../../src/drivers/modbus/modbus-client.js';
import type { ModbusLine } from '../../../src/drivers/modbus/modbus-line.js';
import { GatewardenError } from '../../../src/errors.js';
import { waitFor } from '../../../support/sim/wait-for.js';

const UNIT = { unitId: 1, timeoutMs: 100, lateReplyGuardMs: 0 };

/** A line whose requests stay on the wire until the test answers them. */
function fakeLine() {
  const wire: { unitId: number; answer: (value: number) => void; fail: (error: Error) => void }[] = [];
  const sent: number[] = [];
  let unitId = 0;
  const read = () =>
    new Promise<{ data: number[] }>((resolve, reject) => {
      sent.push(unitId);
      wire.push({ unitId, answer: (value) => resolve({ data: [value] }), fail: reject });
    });
  const client: ModbusClient = {
    setID: (id) => (unitId = id),
    setTimeout: () => undefined,
    readHoldingRegisters: read,
    readInputRegisters: read,
    readDiscreteInputs: () => Promise.reject(new Error('not used')),
    writeCoil: () => Promise.reject(new Error('not used')),
    writeRegister: () => Promise.reject(new Error('not used')),
  };
  const line: ModbusLine & { up: boolean } = {
    client,
    up: true,
    get isUp() {
      return this.up;
    },
    start: () => undefined,
    stop: () => Promise.resolve(),
    onState: () => undefined,
    beforeRequest: () => undefined,
  };
  return { line, wire, sent };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const read = (bus: ModbusBus, unitId = 1) => bus.request({ ...UNIT, unitId }, 'read', (client) => client.readHoldingRegisters(0, 1));

describe('ModbusBus queue', () => {
  it('keeps one request on the wire: a request made while another is out waits for it, then goes in order', async () => {
    const { line, wire, sent } = fakeLine();
    const bus = new ModbusBus(line, pino({ level: 'silent' }));
    const first = read(bus, 1);
    await settle();
    const second = read(bus, 2);
    const third = read(bus, 3);
    await settle();
    expect(sent).toEqual([1]);

    wire[0]!.answer(10);
    await expect(first).resolves.toEqual({ data: [10] });
    await settle();
    expect(sent).toEqual([1, 2]);
    wire[1]!.answer(20);
    await settle();
    expect(sent).toEqual([1, 2, 3]);
    wire[2]!.answer(30);
    await expect(Promise.all([second, third])).resolves.toEqual([{ data: [20] }, { data: [30] }]);
  });

  it('starts the next request after a failed one, and an idle bus serves a new request at once', async () => {
    const { line, wire, sent } = fakeLine();
    const bus = new ModbusBus(line, pino({ level: 'silent' }));
    const failing = read(bus, 1);
    const next = read(bus, 2);
    await settle();
    wire[0]!.fail(new GatewardenError('GW_DEVICE_PROTOCOL', 'CRC error'));
    await expect(failing).rejects.toMatchObject({ code: 'GW_DEVICE_PROTOCOL', message: 'unit 1 read: CRC error' });
    await settle();
    wire[1]!.answer(2);
    await expect(next).resolves.toEqual({ data: [2] });

    const later = read(bus, 3);
    await settle();
    expect(sent).toEqual([1, 2, 3]);
    wire[2]!.answer(3);
    await expect(later).resolves.toEqual({ data: [3] });
  });

  it('refuses a request while the line is down, and the queue goes on when it is back', async () => {
    const { line, wire } = fakeLine();
    const bus = new ModbusBus(line, pino({ level: 'silent' }));
    line.up = false;
    await expect(read(bus)).rejects.toMatchObject({ code: 'GW_DEVICE_IO', message: 'read: line is down' });
    line.up = true;
    const again = read(bus);
    await settle();
    wire[0]!.answer(7);
    await expect(again).resolves.toEqual({ data: [7] });
  });

  it('leaves a unit alone for its guard time after a timeout, while another unit is served', async () => {
    const { line, wire, sent } = fakeLine();
    const bus = new ModbusBus(line, pino({ level: 'silent' }));
    const guarded = { ...UNIT, unitId: 5, lateReplyGuardMs: 80 };
    const timedOut = bus.request(guarded, 'read', (client) => client.readHoldingRegisters(0, 1));
    await settle();
    wire[0]!.fail(new GatewardenError('GW_DEVICE_TIMEOUT', 'no reply within 100 ms'));
    await expect(timedOut).rejects.toMatchObject({ code: 'GW_DEVICE_TIMEOUT' });

    const started = performance.now();
    const retry = bus.request(guarded, 'read', (client) => client.readHoldingRegisters(0, 1));
    const other = read(bus, 6);
    await settle();
    expect(sent).toEqual([5, 6]);
    wire[1]!.answer(6);
    await expect(other).resolves.toEqual({ data: [6] });
    await waitFor(() => sent.length === 3, { what: 'the guarded unit polled again', intervalMs: 5 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    wire[2]!.answer(5);
    await expect(retry).resolves.toEqual({ data: [5] });
  });
});
