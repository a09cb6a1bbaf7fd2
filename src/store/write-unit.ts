import type { OutgoingMessage } from '../contract/messages.js';
import { relaxedWriter, statementCache, type Db } from './database.js';

/** What a unit needs of the outbox (outbox.ts): a message queued in the unit's transaction. */
export interface OutboxQueue {
  enqueue(message: OutgoingMessage, at: number): unknown;
}

export type BindParams = unknown[] | Record<string, unknown>;

/**
 * One step of a write: a statement, or a report for the outbox, which the
 * writer stamps with its seq and hash link inside the transaction that commits
 * it (report-chain.ts), so the chain follows the order of the commits.
 */
export type WriteStep = { kind: 'run'; sql: string; params: BindParams } | { kind: 'enqueue'; message: OutgoingMessage; at: number };

/**
 * Steps that commit together or not at all. `durable`: someone acts on it
 * once committed (a barrier opens), so its commit is fsynced; otherwise it
 * rides unsynced until the next durable commit (relaxedWriter).
 */
export interface WriteUnit {
  steps: WriteStep[];
  durable: boolean;
}

/** Where a unit goes to be committed: the writer thread (writer-thread.ts), or the caller's own connection. */
export interface Committer {
  /** Resolves once the unit is committed (on disk when durable); rejects if it is not. */
  commit(unit: WriteUnit): Promise<void>;
  /** The synchronous path, for rare writes whose caller cannot wait (commands, alerts): blocks until committed. */
  commitNow(unit: WriteUnit): void;
}

/** Runs a unit's steps in one transaction, or in a savepoint when a transaction is open (a batch, a command's). */
export function applyUnit(db: Db, outbox: OutboxQueue | undefined, prepare: ReturnType<typeof statementCache>, unit: WriteUnit): void {
  db.transaction(() => {
    for (const step of unit.steps) {
      if (step.kind === 'enqueue') {
        if (!outbox) throw new Error('a unit with reports needs an outbox to commit them');
        outbox.enqueue(step.message, step.at);
      }
      else if (Array.isArray(step.params)) prepare(step.sql).run(...step.params);
      else prepare(step.sql).run(step.params);
    }
  })();
}

/**
 * Commits on the caller's connection, on the caller's thread: tests and the
 * command-line tools, which have no writer thread. Without an outbox it takes
 * only units of statements.
 */
export function inlineCommitter(db: Db, outbox: OutboxQueue | undefined): Committer {
  const prepare = statementCache(db);
  const relaxed = relaxedWriter(db);
  const commitNow = (unit: WriteUnit) => (unit.durable ? applyUnit(db, outbox, prepare, unit) : relaxed(() => applyUnit(db, outbox, prepare, unit)));
  return {
    commit: (unit) => {
      try {
        commitNow(unit);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    commitNow,
  };
}
