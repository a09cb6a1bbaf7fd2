/**
 * The few SQL operations the district store needs, over SQLite (better-sqlite3)
 * or PostgreSQL (pg). Statements use `?` placeholders and the SQL both accept
 * (INSERT … ON CONFLICT DO NOTHING / DO UPDATE), so the store is written once.
 */
export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export interface Sql {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs `work` in one transaction: all of it is written, or none. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
