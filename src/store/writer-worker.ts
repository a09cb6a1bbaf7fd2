import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { openDatabase, statementCache, type Connection } from './database.js';
import { GatewardenError } from '../errors.js';
import { fileIdentity, fileLoss, type FileIdentity } from './file-identity.js';
import { Outbox } from './outbox.js';
import { ReportChain } from './report-chain.js';
import { applyUnit, inlineCommitter, type Committer, type WriteUnit } from './write-unit.js';
import { READY_SEQ, toWire, type FromWriter, type SyncOp, type SyncReply, type ToWriter, type WireError, type WriterData, type WriterLogLine } from './writer-protocol.js';

/**
 * The writer thread (writer-thread.ts): the one connection that writes. Units
 * that arrive while it commits wait in the port's queue; it then takes all of
 * them and commits them in one transaction, with one fsync (group commit).
 * Seq and hash links are assigned inside that transaction, in arrival order.
 */
const data = workerData as WriterData;
const port = parentPort!;
const signal = new Int32Array(data.signal);
const post = (message: FromWriter) => port.postMessage(message);
// What the open logs (a folder or file mode tightened, a migration) rides on the ready answer, so it is in the
// gateway's log before its start goes on; later lines are posted as they come.
// No logger of its own: the lines go to the gateway's, which filters them by level. pino and its
// dependencies cost the thread's isolate about 5 MB of memory (issue 14).
const startupLines: WriterLogLine[] = [];
let started = false;
const logAt =
  (level: WriterLogLine['level']) =>
  (fields: Record<string, unknown>, message: string): void => {
    const line: WriterLogLine = { kind: 'log', level, fields, message };
    if (started) post(line);
    else startupLines.push(line);
  };
const log = { info: logAt('info'), warn: logAt('warn'), error: logAt('error') };

let db: Connection | undefined;

function reply(seq: number, body: { value?: unknown; error?: WireError }): void {
  const message: SyncReply = { seq, ...body, inTransaction: db?.open === true && db.inTransaction };
  data.replies.postMessage(message);
  Atomics.store(signal, 0, seq);
  Atomics.notify(signal, 0);
}

try {
  db = openDatabase({ path: data.path, synchronous: data.synchronous, log });
  started = true;
  reply(READY_SEQ, { value: startupLines });
} catch (error) {
  started = true;
  reply(READY_SEQ, { error: toWire(error) });
  port.close();
}

if (db) serve(db);

/** The writer connection and what commits on it. */
interface WriterConnection {
  db: Connection;
  /** The file it was opened on (file-identity.ts). */
  identity: FileIdentity | undefined;
  outbox: Outbox;
  prepare: ReturnType<typeof statementCache>;
  inline: Committer;
}

/**
 * How long units that nothing waits for (the replay window, a settled passage, delivered outbox rows) may wait
 * for company. A passage makes three of them at two moments; committed as they came, each was a transaction
 * writing its pages to the WAL, and the writer spent 1.07 ms of CPU per passage (issue 14).
 */
const RELAXED_WAIT_MS = 10;

function serve(db: Connection): void {
  const outbox = new Outbox(db, 'outbox', new ReportChain(db));
  const writer: WriterConnection = { db, identity: fileIdentity(data.path), outbox, prepare: statementCache(db), inline: inlineCommitter(db, outbox) };
  // Durable units commit without the relaxed ones: in the same transaction their statements doubled the time a
  // decision waited for its commit (0.35 ms p50 with them, 16 lanes at 200/s). The relaxed ones commit
  // unsynced when their wait ends, and the next fsync carries them to disk.
  const durable: Array<{ id: number; unit: WriteUnit }> = [];
  const relaxed: Array<{ id: number; unit: WriteUnit }> = [];
  let relaxedTimer: NodeJS.Timeout | undefined;
  // A command's transaction is open (writer-db.ts): units wait for its end rather than commit inside it.
  const commit = (batch: Array<{ id: number; unit: WriteUnit }>) => {
    if (batch.length > 0 && !db.inTransaction) post({ kind: 'committed', results: commitBatch(writer, batch.splice(0)) });
  };
  const commitRelaxed = () => {
    clearTimeout(relaxedTimer);
    relaxedTimer = undefined;
    commit(relaxed);
  };
  /** Before a call: everything queued before it is committed, in order. */
  const commitAll = () => {
    commitRelaxed();
    commit(durable);
  };

  port.on('message', (first: ToWriter) => {
    // Everything queued now joins one batch; a call waits for the units queued before it (their order is kept).
    for (let message: ToWriter | undefined = first; message; message = receiveMessageOnPort(port)?.message as ToWriter | undefined) {
      if (message.kind === 'units') {
        for (const queued of message.units) (queued.unit.durable ? durable : relaxed).push(queued);
        continue;
      }
      commitAll();
      if (message.kind === 'pragmas') {
        post(runPragmas(db, message.id, message.sources));
        continue;
      }
      const { seq, op } = message;
      try {
        reply(seq, { value: perform(writer, op) });
      } catch (error) {
        reply(seq, { error: toWire(error) });
      }
      if (op.op === 'close') {
        port.close();
        return;
      }
    }
    commit(durable);
    if (relaxed.length > 0) relaxedTimer ??= setTimeout(commitRelaxed, RELAXED_WAIT_MS);
  });
}

/** One transaction for a batch of units; fsynced when they are durable. A unit that fails rolls back alone (its savepoint). */
function commitBatch({ db, identity, outbox, prepare }: WriterConnection, batch: Array<{ id: number; unit: WriteUnit }>): Array<{ id: number; error?: WireError }> {
  const durable = batch.some(({ unit }) => unit.durable);
  // A decision committed to a file deleted or replaced under the connection is lost at the next start, and the
  // watch (db-watch.ts) sees the swap only at its next check: a stat before each durable batch (a few µs, on
  // this thread) refuses it, and the lane refers instead of releasing (found from outside: a replaced file).
  const lost = durable ? fileLoss(data.path, identity) : undefined;
  if (lost !== undefined) return batch.map(({ id }) => ({ id, error: { message: lost, code: 'GW_STORAGE' } }));
  const fsync = data.synchronous === 'full' && durable;
  let results: Array<{ id: number; error?: WireError }>;
  try {
    db.exec(`PRAGMA synchronous = ${fsync ? 'FULL' : 'NORMAL'}`);
    results = db.transaction(() =>
      batch.map(({ id, unit }) => {
        try {
          applyUnit(db, outbox, prepare, unit);
          return { id };
        } catch (error) {
          // SQLite ended the whole transaction (disk full, I/O error): nothing of the batch will commit.
          if (!db.inTransaction) throw error;
          return { id, error: toWire(error) };
        }
      }),
    )();
  } catch (error) {
    results = batch.map(({ id }) => ({ id, error: toWire(error) }));
  }
  try {
    db.exec(`PRAGMA synchronous = ${data.synchronous.toUpperCase()}`);
  } catch (error) {
    log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot restore the synchronous level');
  }
  return results;
}

function runPragmas(db: Connection, id: number, sources: readonly string[]): FromWriter {
  try {
    for (const source of sources) db.pragma(source);
    return { kind: 'done', id };
  } catch (error) {
    return { kind: 'done', id, error: toWire(error) };
  }
}

function perform({ db, identity, prepare, inline }: WriterConnection, op: SyncOp): unknown {
  switch (op.op) {
    case 'run':
      return prepare(op.sql).run(...op.params);
    case 'get':
      return prepare(op.sql).pluck(op.pluck).get(...op.params);
    case 'all':
      return prepare(op.sql).pluck(op.pluck).all(...op.params);
    case 'exec':
      db.exec(op.sql);
      return undefined;
    case 'pragma':
      return db.pragma(op.source, { simple: op.simple });
    case 'unit': {
      // A guard's release or an alert: refused like a batch on a swapped file (commitBatch).
      const lost = op.unit.durable ? fileLoss(data.path, identity) : undefined;
      if (lost !== undefined) throw new GatewardenError('GW_STORAGE', lost);
      inline.commitNow(op.unit);
      return undefined;
    }
    case 'close':
      db.close();
      return undefined;
  }
}
