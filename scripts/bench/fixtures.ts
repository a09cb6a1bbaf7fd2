import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { PassageRecord } from '../../src/core/lane-types.js';
import { topicsFor } from '../../src/contract/topics.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { Journal } from '../../src/store/journal.js';
import { subjectHasher } from '../../src/store/subject-hash.js';

export const silent = pino({ level: 'silent' });

export function benchJournal(synchronous: 'full' | 'normal', dir = mkdtempSync(join(tmpdir(), 'gw-bench-'))): { db: Db; journal: Journal; dir: string } {
  const db = openDatabase({ path: join(dir, 'bench.db'), synchronous, log: silent });
  return { db, journal: new Journal(db, topicsFor('gatewarden/bench'), subjectHasher(Buffer.alloc(32, 1))), dir };
}

export function syntheticPassage(i: number, at: number): PassageRecord {
  return {
    id: `bench-${i}-${at}`,
    at,
    gate: `g${i % 4}`,
    lane: `p${i % 4}`,
    direction: i % 2 === 0 ? 'in' : 'out',
    kind: 'pedestrian',
    // A resident showed card then health pass: the passage's subject is the person (the card's health-code subject).
    credential: 'card',
    subject: { kind: 'health-pass', id: `resident-${i % 5000}` },
    decision: { verdict: 'grant', reasons: ['CARD_VALID', 'CODE_GREEN', 'TEMP_NORMAL'], rule: 'card-roster', policyVersion: 'bench' },
    temperatureC: 36.5,
    readings: [36.5],
    mode: 'normal',
  };
}
