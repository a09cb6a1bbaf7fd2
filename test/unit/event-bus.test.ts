import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/event-bus.js';

interface TestEvents {
  tick: { n: number };
  ping: undefined;
}

/** A bus whose log lines are kept, to see what a failing listener reports. */
function busWithLog(): { bus: EventBus<TestEvents>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'error' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { bus: new EventBus<TestEvents>(log), lines };
}

describe('EventBus', () => {
  it('hands each payload to every listener of the event, in the order they subscribed', () => {
    const { bus } = busWithLog();
    const seen: string[] = [];
    bus.on('tick', ({ n }) => void seen.push(`a${n}`));
    bus.on('tick', ({ n }) => void seen.push(`b${n}`));
    bus.on('ping', () => void seen.push('ping'));
    bus.emit('tick', { n: 1 });
    bus.emit('ping');
    expect(seen).toEqual(['a1', 'b1', 'ping']);
  });

  it('stops calling a listener once it is off, by off() or by the function on() returned', () => {
    const { bus } = busWithLog();
    const seen: number[] = [];
    const first = ({ n }: { n: number }) => void seen.push(n);
    bus.on('tick', first);
    const unsubscribe = bus.on('tick', ({ n }) => void seen.push(n * 10));
    bus.emit('tick', { n: 1 });
    bus.off('tick', first);
    bus.emit('tick', { n: 2 });
    unsubscribe();
    bus.emit('tick', { n: 3 });
    expect(seen).toEqual([1, 10, 20]);
  });

  it('keeps going past a listener that throws: the emitter and the next listener never see it; it is logged and counted', () => {
    const { bus, lines } = busWithLog();
    const seen: number[] = [];
    bus.on('tick', () => {
      throw new Error('disk full');
    });
    bus.on('tick', ({ n }) => void seen.push(n));
    expect(() => bus.emit('tick', { n: 7 })).not.toThrow();
    expect(seen).toEqual([7]);
    expect(bus.failures).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ module: 'events', event: 'tick', err: 'disk full', code: 'GW_LISTENER' })]);
  });

  it('counts and logs a listener whose promise rejects, without an unhandled rejection', async () => {
    const { bus, lines } = busWithLog();
    bus.on('ping', async () => {
      throw new Error('later');
    });
    bus.emit('ping');
    await new Promise((resolve) => setImmediate(resolve));
    expect(bus.failures).toBe(1);
    expect(lines[0]).toMatchObject({ event: 'ping', err: 'later', code: 'GW_LISTENER' });
  });

  it('lets a listener unsubscribe during an emit without skipping the others of that emit', () => {
    const { bus } = busWithLog();
    const seen: string[] = [];
    const once = () => {
      seen.push('once');
      bus.off('ping', once);
    };
    bus.on('ping', once);
    bus.on('ping', () => void seen.push('always'));
    bus.emit('ping');
    bus.emit('ping');
    expect(seen).toEqual(['once', 'always', 'always']);
  });
});
