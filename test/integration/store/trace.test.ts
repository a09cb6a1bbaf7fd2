import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import { topicsFor } from '../../../src/mqtt/topics.js';
import { toCsv } from '../../../src/store/csv.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { Journal } from '../../../src/store/journal.js';
import { purgeExpired } from '../../../src/store/retention.js';
import { subjectHasher } from '../../../src/store/subject-hash.js';
import { TraceQueries } from '../../../src/store/trace.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-20T08:00:00Z');
const hash = subjectHasher(Buffer.alloc(32, 3));
const card = (id: string) => ({ kind: 'card' as const, id });

let seq = 0;
function passage(subject: string, gate: string, at: number): PassageRecord {
  seq += 1;
  return {
    id: `p-${seq}`,
    at,
    gate,
    lane: 'p1',
    direction: 'in',
    kind: 'pedestrian',
    credential: 'card',
    subject: card(subject),
    decision: { verdict: 'grant', reasons: ['CARD_VALID', 'TEMP_NORMAL'], rule: 'card-roster', policyVersion: 'p' },
    temperatureC: 36.5,
    readings: [36.5],
    mode: 'normal',
  };
}

describe('trail and contact queries', () => {
  let dir: string;
  let db: Db;
  let queries: TraceQueries;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatewarden-trace-'));
    db = openDatabase({ path: join(dir, 't.db'), synchronous: 'normal', log: pino({ level: 'silent' }) });
    const journal = new Journal(db, topicsFor('gatewarden/t'), hash);
    const rows = [
      passage('case', 'north', T0),
      passage('case', 'south', T0 + 120 * MIN),
      passage('neighbour', 'north', T0 + 2 * MIN),
      passage('neighbour', 'south', T0 + 121 * MIN),
      passage('courier', 'north', T0 - 4 * MIN),
      passage('late', 'north', T0 + 10 * MIN),
      passage('elsewhere', 'east', T0 + 1 * MIN),
      passage('case', 'north', T0 + 30 * 86_400_000),
    ];
    for (const row of rows) journal.recordPassage(row, []);
    queries = new TraceQueries(db);
  });

  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const range = { subjectHash: hash(card('case')), from: T0 - 60 * MIN, to: T0 + 24 * 60 * MIN };

  it('returns the trail across gates in time order, limited to the range', () => {
    expect(queries.trail(range).map((e) => [e.gate, e.at - T0])).toEqual([
      ['north', 0],
      ['south', 120 * MIN],
    ]);
  });

  it('ranks contacts by encounters, then by closeness, within the window at the same gate', () => {
    const contacts = queries.contacts(range, 5 * MIN);
    expect(contacts.map((c) => c.subject)).toEqual([hash(card('neighbour')), hash(card('courier'))]);
    expect(contacts[0]).toMatchObject({ encounters: 2, closestMs: 1 * MIN, gates: expect.arrayContaining(['north', 'south']) });
    expect(contacts[1]).toMatchObject({ encounters: 1, closestMs: 4 * MIN, gates: ['north'] });
  });

  it('widens with the window', () => {
    expect(queries.contacts(range, 15 * MIN).map((c) => c.subject)).toContain(hash(card('late')));
  });

  it('exports CSV with quoting and without spreadsheet formulas', () => {
    const csv = toCsv(['a', 'b'], [{ a: 'x,y', b: '=cmd()' }, { a: 'say "hi"', b: -3 }]);
    expect(csv).toBe('a,b\r\n"x,y",\'=cmd()\r\n"say ""hi""",-3\r\n');
  });

  it('purges passages past retention and keeps the rest', () => {
    const before = (db.prepare('SELECT count(*) AS n FROM passages').get() as { n: number }).n;
    const purged = purgeExpired(db, { passagesBefore: T0 + 60 * MIN, alertsBefore: 0 }, 2);
    expect(purged.passages).toBe(5);
    expect(db.prepare('SELECT count(*) AS n FROM passages').get()).toEqual({ n: before - 5 });
  });
});
