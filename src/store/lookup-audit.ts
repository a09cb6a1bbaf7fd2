import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';

/**
 * A lookup of personal data (a trace, a passage export), as the audit trail
 * keeps it (issue 12, observation 12; IEC 62443-4-2 CR 2.8): who asked, what
 * kind of lookup, the keyed hashes of the person and the time range, never the
 * raw id. It goes into the `audit` table beside the commands, so
 * `/api/audit?name=trace` lists the lookups too.
 */
export interface Lookup {
  at: number;
  via: 'http' | 'cli';
  /** The API token's name, or `cli:<os user>`. */
  principal: string;
  role: string;
  kind: 'trace' | 'passages-export' | 'scanned-pass';
  /** The person's keyed hashes (a trace); never a raw subject id. */
  subjects?: readonly string[];
  /** The time range asked for, Unix ms; null when open. */
  from: number | null;
  to: number | null;
  /** Everything else that narrowed the lookup: gate, lane, verdict, format, output, limit. */
  filter?: Readonly<Record<string, string | number | boolean>>;
  /** What the lookup returned, counted (rows of a trail, contacts); absent for a stream. */
  returned?: Readonly<Record<string, number>>;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Writes the audit row of a lookup. The caller writes it before it hands
 * out the data, and refuses the lookup when this throws: an unaudited
 * lookup is not served.
 */
export function auditLookup(db: Db, lookup: Lookup): void {
  const body = { kind: lookup.kind, subjects: lookup.subjects ?? [], from: iso(lookup.from), to: iso(lookup.to), ...(lookup.filter ? { filter: lookup.filter } : {}) };
  db.prepare(
    `INSERT INTO audit (at, command_id, name, via, principal, role, ok, error_code, body, reply)
     VALUES (?, ?, ?, ?, ?, ?, 1, NULL, ?, ?)`,
  ).run(lookup.at, `lookup-${randomUUID()}`, lookup.kind, lookup.via, lookup.principal, lookup.role, JSON.stringify(body), JSON.stringify({ ok: true, data: lookup.returned ?? {} }));
}
