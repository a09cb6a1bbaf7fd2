import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { GatewardenError } from '../errors.js';
import type { OpenOptions } from './database.js';
import type { Committer, WriteUnit } from './write-unit.js';
import { fromWire, READY_SEQ, type FromWriter, type SyncOp, type SyncReply, type WireError, type WriterData, type WriterLogLine } from './writer-protocol.js';

/** Longest a synchronous call waits: past the connection's busy_timeout (5 s), so SQLite's own error comes first. */
const CALL_TIMEOUT_MS = 15_000;

/**
 * The writer connection, in a worker thread (writer-worker.ts). Decisions are
 * committed asynchronously: `commit` resolves once the unit is on disk, and
 * every unit pending at one moment shares one transaction and one fsync, so
 * the event loop never waits on an fsync. The rare writes that cannot wait
 * (commands, mode changes, migrations) take the synchronous path: `call`
 * blocks on a shared word until the same thread answers. One thread, one
 * writer connection, one order.
 */
export class WriterThread implements Committer {
  private seq = READY_SEQ;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  /** Units asked for in this turn, posted together at its end (see flush). */
  private outgoing: Array<{ id: number; unit: WriteUnit }> = [];
  private failure: Error | undefined;
  private lastInTransaction = false;
  private closing = false;
  private readonly exited: Promise<void>;
  /** Commits made and the units they carried: units / batches is the group-commit factor. */
  readonly stats = { batches: 0, units: 0 };
  private readonly writerLog: Logger;

  private constructor(
    private readonly worker: Worker,
    private readonly signal: Int32Array,
    private readonly replies: MessagePort,
    log: Logger,
  ) {
    const writerLog = log.child({ module: 'store-writer' });
    this.writerLog = writerLog;
    worker.on('message', (message: FromWriter) => {
      if (message.kind === 'log') return forwardLog(writerLog, message);
      if (message.kind === 'done') return this.settle([message]);
      this.stats.batches += 1;
      this.stats.units += message.results.length;
      this.settle(message.results);
    });
    worker.on('error', (error) => {
      writerLog.error({ err: error.message, code: 'GW_STORAGE' }, 'writer thread failed');
      this.fail(new GatewardenError('GW_STORAGE', `writer thread failed: ${error.message}`));
    });
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.fail(new GatewardenError('GW_STORAGE', 'writer thread stopped'));
        resolve();
      }),
    );
    worker.unref();
  }

  /** Starts the thread, which opens and migrates the database; blocks until it has (or throws its error). */
  static open({ path, synchronous, log }: OpenOptions): WriterThread {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const data: WriterData = { path, synchronous, signal: signal.buffer as SharedArrayBuffer, replies: port2 };
    const worker = new Worker(...workerEntry(data, port2));
    const writer = new WriterThread(worker, signal, port1, log);
    try {
      writer.forwardStartupLog(writer.answer(READY_SEQ));
    } catch (error) {
      void worker.terminate();
      throw error;
    }
    return writer;
  }

  commit(unit: WriteUnit): Promise<void> {
    return this.awaitAnswer((id) => {
      if (this.outgoing.length === 0) queueMicrotask(() => this.flush());
      this.outgoing.push({ id, unit });
    });
  }

  /**
   * Posts the units asked for since the last flush as one message. A passage asks for several (its record, the
   * replay window, the registry's marks), and a post costs the event loop a structured clone and a wake-up of the
   * thread: one per turn instead of one per unit (issue 14).
   */
  private flush(): void {
    if (this.outgoing.length === 0) return;
    const units = this.outgoing;
    this.outgoing = [];
    this.worker.postMessage({ kind: 'units', units });
  }

  /**
   * Runs pragmas on the writer connection, in order, after the units asked for before; resolves when they have
   * run. For a write that may take long and that nothing waits for: the storage probe's write and checkpoint,
   * which on the synchronous path held the event loop for the whole checkpoint every 2 s (issue 14).
   */
  pragmas(sources: readonly string[]): Promise<void> {
    return this.awaitAnswer((id) => {
      this.flush();
      this.worker.postMessage({ kind: 'pragmas', id, sources: [...sources] });
    });
  }

  /** Sends what `send` posts under a fresh id; settles when the thread answers that id (settle). */
  private awaitAnswer(send: (id: number) => void): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      // Held while an answer is awaited, so the process does not end under it; idle, the thread keeps nothing alive.
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      send(id);
    });
  }

  commitNow(unit: WriteUnit): void {
    this.call({ op: 'unit', unit });
  }

  /** Runs one call on the writer connection and waits for its answer (after the units queued before it). */
  call(op: SyncOp): unknown {
    if (this.failure) throw this.failure;
    const seq = (this.seq += 1);
    // The units asked for before this call commit before it, as they would have without the coalescing.
    this.flush();
    this.worker.postMessage({ kind: 'sync', seq, op });
    return this.answer(seq);
  }

  /** Whether the writer connection was inside a transaction after the last call. */
  get inTransaction(): boolean {
    return this.lastInTransaction;
  }

  /** Commits what is queued, closes the connection and ends the thread. */
  async close(): Promise<void> {
    // Held until the thread has exited: the answers to units committed by the close must not unref it meanwhile.
    this.closing = true;
    this.worker.ref();
    if (!this.failure) this.call({ op: 'close' });
    await this.exited;
  }

  /** The lines the writer logged while it opened the database, in order, before anything else is logged. */
  private forwardStartupLog(lines: unknown): void {
    for (const line of (lines ?? []) as WriterLogLine[]) forwardLog(this.writerLog, line);
  }

  private answer(seq: number): unknown {
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    for (let seen = Atomics.load(this.signal, 0); seen !== seq; seen = Atomics.load(this.signal, 0)) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.signal, 0, seen, left) === 'timed-out') {
        throw new GatewardenError('GW_STORAGE', `writer thread did not answer within ${CALL_TIMEOUT_MS} ms`);
      }
    }
    for (let received = receiveMessageOnPort(this.replies); received; received = receiveMessageOnPort(this.replies)) {
      const reply = received.message as SyncReply;
      // A late answer to a call that timed out.
      if (reply.seq !== seq) continue;
      this.lastInTransaction = reply.inTransaction;
      if (reply.error) throw fromWire(reply.error);
      return reply.value;
    }
    throw new GatewardenError('GW_STORAGE', 'writer thread signalled without an answer');
  }

  private settle(results: ReadonlyArray<{ id: number; error?: WireError }>): void {
    for (const { id, error } of results) {
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      if (error) waiter?.reject(fromWire(error));
      else waiter?.resolve();
    }
    if (this.waiting.size === 0 && !this.closing) this.worker.unref();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}

/** The compiled worker; from the TypeScript sources (tests, tsx) it is loaded through tsx like them. */
function workerEntry(data: WriterData, replies: MessagePort): ConstructorParameters<typeof Worker> {
  const options = { workerData: data, transferList: [replies] };
  if (import.meta.url.endsWith('.js')) return [new URL('./writer-worker.js', import.meta.url), options];
  return [new URL('./writer-worker.ts', import.meta.url), { ...options, execArgv: ['--import', 'tsx'] }];
}

function forwardLog(log: Logger, { level, fields, message }: WriterLogLine): void {
  log[level](fields, message);
}
