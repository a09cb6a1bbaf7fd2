/**
 * The embedded broker's password checks wait here for their turn instead of
 * being refused. A check is one scrypt run on libuv's thread pool
 * (`UV_THREADPOOL_SIZE` threads, 4 by default), which Node's asynchronous
 * file calls and name look-ups share; libuv itself would queue every run
 * handed to it, unbounded and first come first served. So:
 *
 * - at most `maxRunning` checks run at once (one thread fewer than the pool),
 *   and at most `maxRunningPerAddress` of them for one host;
 * - a free place goes to the host with the fewest checks running, hosts in
 *   turn among equals: the manager's console, logging in during a burst from
 *   another host or from many, waits for the next place to come free, behind
 *   only the hosts that have no check running either, never for the burst;
 * - at most `maxWaiting` checks wait, each at most `maxWaitMs`: past either the
 *   login is shed with `LoginShed`, which the broker answers with CONNACK 3
 *   (server unavailable, retried by clients), never 5 (not authorised).
 *
 * Found from outside: six consoles of one host logging in at once with the
 * right password got CONNACK 5 past 2 checks in flight, and standard clients
 * give up for good on 5; a persistent subscriber missed every later alert.
 */
export interface LoginQueueOptions {
  maxRunning: number;
  maxRunningPerAddress: number;
  maxWaiting: number;
  maxWaitMs: number;
}

const DEFAULT_THREAD_POOL_SIZE = 4;

/** libuv's thread pool size as this process started with it (libuv reads the variable once, clamped to 1…1024). */
function threadPoolSize(): number {
  const size = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : DEFAULT_THREAD_POOL_SIZE;
}

export const DEFAULT_LOGIN_QUEUE: LoginQueueOptions = {
  maxRunning: Math.max(1, threadPoolSize() - 1),
  maxRunningPerAddress: 2,
  // As many as sockets may wait for their login (broker-slots.ts: 64 pending in all).
  maxWaiting: 64,
  // Far below a client's own CONNACK timeout (mqtt.js and Paho: 30 s), so the client hears CONNACK 3 and retries.
  maxWaitMs: 10_000,
};

/** A login the queue would not take (`queue-full`) or that waited past `maxWaitMs` (`wait-timeout`). */
export class LoginShed extends Error {
  constructor(readonly reason: 'queue-full' | 'wait-timeout') {
    super(`login shed: ${reason}`);
  }
}

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

export class LoginQueue {
  /** Waiting checks by host; the Map's order is the hosts' turn order. */
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly runningByAddress = new Map<string, number>();
  private running = 0;
  private waitingCount = 0;

  constructor(private readonly options: LoginQueueOptions = DEFAULT_LOGIN_QUEUE) {}

  /** Runs `check` when its turn comes; rejects with LoginShed when the queue is full or the wait too long. */
  run<T>(address: string, check: () => Promise<T>): Promise<T> {
    if (this.waitingCount >= this.options.maxWaiting) return Promise.reject(new LoginShed('queue-full'));
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          this.started(address);
          // Through a promise, so a check that throws still gives its place back.
          Promise.resolve()
            .then(check)
            .then(resolve, reject)
            .finally(() => this.finished(address));
        },
        timer: setTimeout(() => {
          this.remove(address, waiter);
          reject(new LoginShed('wait-timeout'));
        }, this.options.maxWaitMs).unref(),
      };
      const queue = this.waiting.get(address) ?? [];
      queue.push(waiter);
      this.waiting.set(address, queue);
      this.waitingCount += 1;
      this.dispatch();
    });
  }

  /** Starts waiting checks while there is room, taking hosts in turn. */
  private dispatch(): void {
    while (this.running < this.options.maxRunning) {
      const address = this.nextAddress();
      if (address === undefined) return;
      const queue = this.waiting.get(address) as Waiter[];
      const waiter = queue.shift() as Waiter;
      this.waitingCount -= 1;
      // The host goes to the back of the turn order (or leaves it when it has nothing more waiting).
      this.waiting.delete(address);
      if (queue.length > 0) this.waiting.set(address, queue);
      waiter.start();
    }
  }

  /** Of the hosts with a check waiting and a place of their own free, the one with the fewest running; the first in turn order among equals. */
  private nextAddress(): string | undefined {
    let next: string | undefined;
    let fewest = this.options.maxRunningPerAddress;
    for (const address of this.waiting.keys()) {
      const running = this.runningByAddress.get(address) ?? 0;
      if (running < fewest) [next, fewest] = [address, running];
    }
    return next;
  }

  private started(address: string): void {
    this.running += 1;
    this.runningByAddress.set(address, (this.runningByAddress.get(address) ?? 0) + 1);
  }

  private finished(address: string): void {
    this.running -= 1;
    const left = (this.runningByAddress.get(address) ?? 1) - 1;
    if (left > 0) this.runningByAddress.set(address, left);
    else this.runningByAddress.delete(address);
    this.dispatch();
  }

  private remove(address: string, waiter: Waiter): void {
    const queue = this.waiting.get(address);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    this.waitingCount -= 1;
    if (queue.length === 0) this.waiting.delete(address);
  }
}
