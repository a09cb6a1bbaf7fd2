import Database from 'better-sqlite3';
import { reportLogFaults } from '../store/report-log-check.js';

export interface StoreIntegrity {
  /** The report chain: a seq missing, a row that does not parse, a link that does not verify. */
  chainFaults: string[];
  /** Passage and alert rows that do not parse, or whose report is not in the log: a unit kept in part. */
  halfWritten: string[];
}

/**
 * What a kill may not leave behind: a passage or alert is one unit with its
 * report (write-unit.ts), so after any crash each row has its report in the
 * chain, every JSON column parses and the chain is whole.
 */
export function storeIntegrity(databasePath: string): StoreIntegrity {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const reported = new Set<unknown>();
    for (const { payload } of db.prepare('SELECT payload FROM report_log').all() as Array<{ payload: string }>) {
      try {
        reported.add((JSON.parse(payload) as { id?: unknown }).id);
      } catch {
        // reportLogFaults names it.
      }
    }
    const rows = [
      ...(db.prepare("SELECT 'passage' AS kind, id, reasons AS a, readings AS b FROM passages").all() as Row[]),
      ...(db.prepare("SELECT 'alert' AS kind, id, reasons AS a, details AS b FROM alerts").all() as Row[]),
    ];
    const halfWritten = rows.flatMap((row) => {
      if (!parses(row.a) || !parses(row.b)) return [`${row.kind} ${row.id}: a column does not parse`];
      return reported.has(row.id) ? [] : [`${row.kind} ${row.id}: no report in the chain`];
    });
    return { chainFaults: reportLogFaults(db), halfWritten };
  } finally {
    db.close();
  }
}

interface Row {
  kind: string;
  id: string;
  a: string;
  b: string;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
