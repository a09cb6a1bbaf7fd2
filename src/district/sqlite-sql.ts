import Database from 'better-sqlite3';
import type { Row, Sql, SqlValue } from './sql.js';

/**
 * SQLite through better-sqlite3, the district's default store: WAL, one
 * writer. better-sqlite3 is synchronous, so a transaction is BEGIN … COMMIT
 * around work that awaits nothing but these calls.
 */
export function openSqlite(path: string): Sql {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a power cut can lose the last commits, never corrupt; the gateway resends what is lost.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  let depth = 0;
  const sql: Sql = {
    dialect: 'sqlite',
    run: async (text, params = []) => prepared(text).run(...(params as SqlValue[])).changes,
    all: async <T extends Row>(text: string, params: readonly SqlValue[] = []) => prepared(text).all(...(params as SqlValue[])) as T[],
    async transaction(work) {
      // Nested calls join the outer transaction.
      if (depth > 0) return work(sql);
      depth += 1;
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(sql);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      } finally {
        depth -= 1;
      }
    },
    close: async () => {
      db.close();
    },
  };
  return sql;
}
