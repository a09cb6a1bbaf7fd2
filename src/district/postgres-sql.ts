import pg from 'pg';
import type { Row, Sql, SqlValue } from './sql.js';

/** int8 (COUNT, BIGINT columns) as a number: seqs and epoch milliseconds stay far below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

/** `?` placeholders (the store's, SQLite's) as PostgreSQL's `$1, $2, …`. */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${(index += 1)}`);
}

function over(client: pg.Pool | pg.PoolClient, pool: pg.Pool): Sql {
  return {
    dialect: 'postgres',
    run: async (text, params = []) => (await client.query(numbered(text), params as SqlValue[])).rowCount ?? 0,
    all: async <T extends Row>(text: string, params: readonly SqlValue[] = []) => (await client.query(numbered(text), params as SqlValue[])).rows as T[],
    async transaction(work) {
      if (client !== pool) return work(this);
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const result = await work(over(connection, pool));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}

/** PostgreSQL through a small pg pool: one connection writes (messages are handled one at a time), the API reads beside it. */
export function openPostgres(url: string): Sql {
  const pool = new pg.Pool({ connectionString: url, max: 4, types });
  // An idle connection the server dropped must not crash the receiver; the next query reconnects.
  pool.on('error', () => {});
  return over(pool, pool);
}
