/**
 * Versioned schema migrations, applied in order inside one transaction each and
 * tracked in `PRAGMA user_version`. Never edit a released migration: add one.
 * Times are Unix milliseconds; subject ids are keyed hashes, never raw codes.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'passages, alerts, outbox',
    sql: `
      CREATE TABLE passages (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        gate TEXT NOT NULL,
        lane TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        kind TEXT NOT NULL,
        credential TEXT NOT NULL,
        subject_hash TEXT,
        verdict TEXT NOT NULL CHECK (verdict IN ('grant', 'deny', 'refer')),
        reasons TEXT NOT NULL,
        rule TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        temperature_c REAL,
        readings TEXT NOT NULL,
        mode TEXT NOT NULL,
        outcome TEXT,
        settled_at INTEGER
      ) STRICT;
      CREATE INDEX passages_at ON passages (at);
      CREATE INDEX passages_subject_at ON passages (subject_hash, at);
      CREATE INDEX passages_gate_at ON passages (gate, at);

      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        gate TEXT,
        lane TEXT,
        passage_id TEXT,
        subject_hash TEXT,
        reasons TEXT NOT NULL,
        details TEXT NOT NULL,
        acked_at INTEGER,
        acked_by TEXT
      ) STRICT;
      CREATE INDEX alerts_at ON alerts (at);

      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        qos INTEGER NOT NULL,
        retain INTEGER NOT NULL,
        priority INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
