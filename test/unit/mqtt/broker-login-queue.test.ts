import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoginQueue, LoginShed } from '../../../src/mqtt/broker-login-queue.js';

/** Lets the queue's promise chains run (and start the next check). */
const settle = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

/** Checks that end when the test says so, recording which started. */
function checks() {
  const started: string[] = [];
  const ends = new Map<string, () => void>();
  const check = (name: string) => () => {
    started.push(name);
    return new Promise<string>((resolve) => ends.set(name, () => resolve(name)));
  };
  const end = async (name: string) => {
    ends.get(name)?.();
    await settle();
  };
  return { started, check, end };
}

describe('LoginQueue: password checks wait their turn instead of being refused', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs every check of a burst from one host, at most maxRunningPerAddress at a time', async () => {
    const queue = new LoginQueue({ maxRunning: 3, maxRunningPerAddress: 2, maxWaiting: 10, maxWaitMs: 10_000 });
    const { started, check, end } = checks();
    const answers = ['a', 'b', 'c', 'd', 'e'].map((name) => queue.run('console-host', check(name)));
    await settle();
    expect(started).toEqual(['a', 'b']);
    await end('a');
    expect(started).toEqual(['a', 'b', 'c']);
    for (const name of ['b', 'c', 'd', 'e']) await end(name);
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('gives a free place to the host with the fewest checks running, not to the burst that came first', async () => {
    const queue = new LoginQueue({ maxRunning: 2, maxRunningPerAddress: 2, maxWaiting: 10, maxWaitMs: 10_000 });
    const { started, check, end } = checks();
    for (const name of ['b1', 'b2', 'b3', 'b4']) void queue.run('burst', check(name));
    const manager = queue.run('manager', check('m'));
    await settle();
    expect(started).toEqual(['b1', 'b2']);
    await end('b1');
    expect(started).toEqual(['b1', 'b2', 'm']);
    await end('m');
    expect(await manager).toBe('m');
  });

  it('sheds a login past maxWaiting, and one that waited past maxWaitMs, and then takes new ones again', async () => {
    const queue = new LoginQueue({ maxRunning: 1, maxRunningPerAddress: 1, maxWaiting: 2, maxWaitMs: 10_000 });
    const { started, check, end } = checks();
    const running = queue.run('h1', check('r'));
    const waiting = [queue.run('h2', check('w1')), queue.run('h3', check('w2'))];
    await expect(queue.run('h4', check('x'))).rejects.toEqual(new LoginShed('queue-full'));
    vi.advanceTimersByTime(10_000);
    for (const late of waiting) await expect(late).rejects.toMatchObject({ reason: 'wait-timeout' });
    await end('r');
    expect(await running).toBe('r');
    // The shed ones never ran, and their places are free again.
    const next = queue.run('h5', check('n'));
    await settle();
    await end('n');
    expect(await next).toBe('n');
    expect(started).toEqual(['r', 'n']);
  });

  it('gives the place back when a check fails', async () => {
    const queue = new LoginQueue({ maxRunning: 1, maxRunningPerAddress: 1, maxWaiting: 2, maxWaitMs: 10_000 });
    await expect(queue.run('h', () => Promise.reject(new Error('scrypt failed')))).rejects.toThrow('scrypt failed');
    expect(await queue.run('h', () => Promise.resolve('next'))).toBe('next');
  });
});
