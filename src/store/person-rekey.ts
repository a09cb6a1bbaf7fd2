import type { Logger } from 'pino';
import type { RosterCard } from '../core/roster.js';
import type { Db } from './database.js';
import type { SubjectHasher } from './subject-hash.js';

export interface RekeyCounts {
  passages: number;
  alerts: number;
}

/**
 * Before the person model a roster card's passages were stored under
 * `card:<subject>` and the same person's health-pass passages under
 * `health-pass:<subject>`: two hashes for one person, so a trace by card missed
 * the pass passages and listed the person as their own contact (issue 11,
 * observation 4). The lanes now write the health-pass hash for both; this
 * rewrites the older rows to it, in one transaction. It runs at every start,
 * after the migrations (only SQL there, and the hashes need the estate key):
 * a second run finds nothing to change, and a card added to the config later
 * has its old rows re-keyed at the next start.
 *
 * The lists and passes are not touched: they are looked up under both hashes.
 */
export function rekeyRosterCards(db: Db, hash: SubjectHasher, cards: readonly RosterCard[], log: Logger): RekeyCounts {
  const passages = db.prepare('UPDATE passages SET subject_hash = @person WHERE subject_hash = @card');
  const alerts = db.prepare('UPDATE alerts SET subject_hash = @person WHERE subject_hash = @card');
  const subjects = new Set(cards.map((card) => card.subject));
  const counts = db.transaction(() => {
    const total: RekeyCounts = { passages: 0, alerts: 0 };
    for (const subject of subjects) {
      const keys = { card: hash({ kind: 'card', id: subject }), person: hash({ kind: 'health-pass', id: subject }) };
      total.passages += passages.run(keys).changes;
      total.alerts += alerts.run(keys).changes;
    }
    return total;
  })();
  log.info({ module: 'person-rekey', subjects: subjects.size, ...counts }, 'roster card passages keyed by the person');
  return counts;
}
