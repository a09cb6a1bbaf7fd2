import type { Sql } from './sql.js';

/**
 * The district store's schema, in order; each entry runs once, in one
 * transaction with the version bump. The same DDL serves SQLite and
 * PostgreSQL (BIGINT for seqs and epoch milliseconds, TEXT for JSON, INTEGER
 * 0/1 for flags); only the findings' row id differs.
 */
const MIGRATIONS: ReadonlyArray<(dialect: Sql['dialect']) => string[]> = [
  (dialect) => [
    `CREATE TABLE estates (
      estate TEXT PRIMARY KEY,
      head_seq BIGINT NOT NULL,
      head_hash TEXT,
      checkpoint_seq BIGINT,
      checkpoint_hash TEXT,
      checkpoint_ts TEXT,
      last_sign_at BIGINT,
      last_report_at BIGINT,
      online INTEGER,
      missing TEXT NOT NULL,
      explained TEXT NOT NULL
    )`,
    // Verified reports: covered by a signed checkpoint through an unbroken chain of hashes.
    `CREATE TABLE reports (
      estate TEXT NOT NULL,
      seq BIGINT NOT NULL,
      id TEXT NOT NULL,
      topic TEXT NOT NULL,
      kind TEXT NOT NULL,
      ts TEXT,
      received_at BIGINT NOT NULL,
      delay_ms BIGINT,
      late INTEGER NOT NULL,
      backfilled INTEGER NOT NULL,
      prev TEXT NOT NULL,
      hash TEXT NOT NULL,
      payload TEXT NOT NULL,
      PRIMARY KEY (estate, seq)
    )`,
    'CREATE UNIQUE INDEX reports_by_id ON reports (estate, id)',
    'CREATE INDEX reports_by_kind ON reports (kind, received_at)',
    // Received, own hash intact, not yet verified (beyond a hole, the newest, or one of two reports with one seq).
    `CREATE TABLE pending (
      estate TEXT NOT NULL,
      seq BIGINT NOT NULL,
      hash TEXT NOT NULL,
      topic TEXT NOT NULL,
      payload TEXT NOT NULL,
      received_at BIGINT NOT NULL,
      backfilled INTEGER NOT NULL,
      PRIMARY KEY (estate, seq, hash)
    )`,
    `CREATE TABLE findings (
      id ${dialect === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'},
      estate TEXT NOT NULL,
      kind TEXT NOT NULL,
      seq BIGINT,
      detail TEXT,
      at BIGINT NOT NULL
    )`,
    'CREATE INDEX findings_by_estate ON findings (estate, at)',
  ],
];

export async function migrate(sql: Sql): Promise<void> {
  await sql.run('CREATE TABLE IF NOT EXISTS district_schema (version INTEGER NOT NULL)');
  const [row] = await sql.all<{ version: number }>('SELECT version FROM district_schema');
  if (!row) await sql.run('INSERT INTO district_schema (version) VALUES (0)');
  for (let version = row?.version ?? 0; version < MIGRATIONS.length; version += 1) {
    await sql.transaction(async (tx) => {
      for (const statement of (MIGRATIONS[version] as (dialect: Sql['dialect']) => string[])(sql.dialect)) await tx.run(statement);
      await tx.run('UPDATE district_schema SET version = ?', [version + 1]);
    });
  }
}
