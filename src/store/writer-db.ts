import type { Db, Statement } from './database.js';
import type { WriterThread } from './writer-thread.js';

/**
 * The writer thread's connection as a `Db`, for the code that writes
 * synchronously (commands and their audit, mode changes, the outbox bound,
 * retention, the storage probe): each call waits for the thread's answer, so
 * these writes keep their order with the lanes' commits on one connection.
 * A transaction is BEGIN … COMMIT over several calls; nested, a savepoint,
 * as in better-sqlite3.
 */
export function writerDb(writer: WriterThread): Db {
  const statement = (sql: string, pluck: boolean): Statement => ({
    run: (...params) => writer.call({ op: 'run', sql, params, pluck: false }) as ReturnType<Statement['run']>,
    get: (...params) => writer.call({ op: 'get', sql, params, pluck }),
    all: (...params) => writer.call({ op: 'all', sql, params, pluck }) as unknown[],
    iterate: (...params) => (writer.call({ op: 'all', sql, params, pluck }) as unknown[])[Symbol.iterator](),
    pluck: (toggle = true) => statement(sql, toggle),
  });
  const exec = (sql: string) => writer.call({ op: 'exec', sql });
  let depth = 0;
  return {
    prepare: (sql) => statement(sql, false),
    exec,
    pragma: (source, options) => writer.call({ op: 'pragma', source, simple: options?.simple ?? false }),
    close: () => writer.close(),
    get inTransaction() {
      return writer.inTransaction;
    },
    transaction:
      (fn) =>
      (...params) => {
        const nested = depth > 0;
        exec(nested ? 'SAVEPOINT nested' : 'BEGIN');
        depth += 1;
        try {
          const result = fn(...params) as ReturnType<typeof fn>;
          exec(nested ? 'RELEASE nested' : 'COMMIT');
          return result;
        } catch (error) {
          // A failed COMMIT may have ended the transaction already: roll back only what is still open.
          if (writer.inTransaction) exec(nested ? 'ROLLBACK TO nested; RELEASE nested' : 'ROLLBACK');
          throw error;
        } finally {
          depth -= 1;
        }
      },
  };
}
