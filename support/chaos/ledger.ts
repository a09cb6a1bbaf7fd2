import Database from 'better-sqlite3';
import type { Subscriber } from './subscriber.js';

/** A row the gateway recorded, with its table and time. */
export interface RecordedRow {
  id: string;
  at: number;
  table: 'passages' | 'alerts';
  verdict?: string;
  /** `gate/lane` of a passage. */
  lane?: string;
  /** Type of an alert. */
  type?: string;
}

/** What SQLite holds at the end of a run (read-only, beside a running gateway: WAL allows it). */
export function readRecorded(databasePath: string): RecordedRow[] {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const passages = db.prepare("SELECT id, at, verdict, gate || '/' || lane AS lane FROM passages").all() as Array<{ id: string; at: number; verdict: string; lane: string }>;
    const alerts = db.prepare('SELECT id, at, type FROM alerts').all() as Array<{ id: string; at: number; type: string }>;
    return [...passages.map((p) => ({ ...p, table: 'passages' as const })), ...alerts.map((a) => ({ ...a, table: 'alerts' as const }))];
  } finally {
    db.close();
  }
}

export function outboxDepth(databasePath: string): number {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS depth FROM outbox').get() as { depth: number }).depth;
  } finally {
    db.close();
  }
}

export interface LossFigures {
  recorded: number;
  passages: number;
  grants: number;
  alerts: number;
  delivered: number;
  lost: number;
  duplicated: number;
  lostIds: string[];
}

/** Every recorded passage and alert against what the subscriber received, by message id. */
export function compareLedger(rows: readonly RecordedRow[], subscriber: Subscriber): LossFigures {
  const lostIds = rows.filter((row) => !subscriber.receipts.has(row.id)).map((row) => row.id);
  return {
    recorded: rows.length,
    passages: rows.filter((row) => row.table === 'passages').length,
    grants: rows.filter((row) => row.verdict === 'grant').length,
    alerts: rows.filter((row) => row.table === 'alerts').length,
    delivered: rows.length - lostIds.length,
    lost: lostIds.length,
    duplicated: subscriber.duplicated,
    lostIds,
  };
}
