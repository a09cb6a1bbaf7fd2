import Database from 'better-sqlite3';
import pino from 'pino';
import type { Subject } from '../../../src/core/credential.js';
import { migrate } from '../../../src/store/database.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import type { SubjectHasher } from '../../../src/store/subject-hash.js';

/**
 * A passage as the gateway wrote it before the person model (schema v3): a
 * roster card under `card:<subject>`, a health pass under
 * `health-pass:<subject>`, a plate as the subject itself, no vehicle column.
 */
export interface LegacyRow {
  id: string;
  at: number;
  gate: string;
  credential: 'card' | 'health-pass' | 'plate';
  subject: Subject;
  /** Raise one alert with the passage, keyed by the same subject hash. */
  alert?: string;
}

/** The v3 journal's statements, verbatim: the rows a site upgrading to v4 has. */
export function writeLegacyDatabase(path: string, hash: SubjectHasher, rows: readonly LegacyRow[]): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS.filter((m) => m.version <= 3), pino({ level: 'silent' }));
  const passage = db.prepare(`
    INSERT INTO passages (id, at, gate, lane, direction, kind, credential, subject_hash, verdict, reasons, rule, policy_version, temperature_c, readings, mode, drill)
    VALUES (@id, @at, @gate, @lane, @direction, @kind, @credential, @subjectHash, @verdict, @reasons, @rule, @policyVersion, @temperatureC, @readings, @mode, @drill)`);
  const alert = db.prepare(`
    INSERT INTO alerts (id, at, type, severity, gate, lane, passage_id, subject_hash, reasons, details)
    VALUES (@id, @at, @type, @severity, @gate, @lane, @passageId, @subjectHash, @reasons, @details)`);
  db.transaction(() => {
    for (const row of rows) {
      const subjectHash = hash(row.subject);
      passage.run({
        id: row.id,
        at: row.at,
        gate: row.gate,
        lane: row.credential === 'plate' ? 'v1' : 'p1',
        direction: 'in',
        kind: row.credential === 'plate' ? 'vehicle' : 'pedestrian',
        credential: row.credential,
        subjectHash,
        verdict: 'grant',
        reasons: JSON.stringify(['TEMP_NORMAL']),
        rule: 'legacy',
        policyVersion: 'v3',
        temperatureC: 36.5,
        readings: JSON.stringify([36.5]),
        mode: 'normal',
        drill: 0,
      });
      if (row.alert) {
        alert.run({ id: `a-${row.id}`, at: row.at, type: row.alert, severity: 'warning', gate: row.gate, lane: 'p1', passageId: row.id, subjectHash, reasons: '[]', details: '{}' });
      }
    }
  })();
  db.close();
}
