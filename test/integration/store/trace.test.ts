import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import { topicsFor } from '../../../src/contract/topics.js';
import { toCsv } from '../../../src/store/csv.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { Journal } from '../../../src/store/journal.js';
import { traceHashes } from '../../../src/store/person-hashes.js';
import { rekeyRosterCards, type RekeyCounts } from '../../../src/store/person-rekey.js';
import { purgeExpired } from '../../../src/store/retention.js';
import { subjectHasher } from '../../../src/store/subject-hash.js';
import { TraceQueries } from '../../../src/store/trace.js';
import { writeLegacyDatabase } from './legacy-rows.js';

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

  const range = { hashes: [hash(card('case'))], from: T0 - 60 * MIN, to: T0 + 24 * 60 * MIN };

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

describe('a person under every credential (issue 11, observation 4)', () => {
  const DAY = 86_400_000;
  const D = T0 + DAY;
  const cards = [
    { uid: '04A1B2C3D4', subject: 'res-1', role: 'resident' as const, household: '2-201' },
    { uid: '04FFFFFFFF', subject: 'res-2', role: 'resident' as const, household: '2-202' },
  ];
  const pass = (id: string) => ({ kind: 'health-pass' as const, id });
  const plate = (id: string) => ({ kind: 'plate' as const, id });
  const whole = { from: T0 - DAY, to: T0 + 3 * DAY };
  let dir: string;
  let db: Db;
  let queries: TraceQueries;
  let firstRekey: RekeyCounts;
  const logged: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
  const snapshot = () => [
    db.prepare('SELECT id, subject_hash, vehicle_hash FROM passages ORDER BY id').all(),
    db.prepare('SELECT id, subject_hash FROM alerts ORDER BY id').all(),
  ];

  function recorded(id: string, at: number, gate: string, credential: PassageRecord['credential'], who: Partial<Pick<PassageRecord, 'subject' | 'vehicle'>>): PassageRecord {
    return {
      id, at, gate, lane: credential === 'plate' ? 'v1' : 'p1', direction: 'in', kind: credential === 'plate' ? 'vehicle' : 'pedestrian', credential, ...who,
      decision: { verdict: 'grant', reasons: ['CODE_GREEN', 'TEMP_NORMAL'], rule: 'person', policyVersion: 'p' }, temperatureC: 36.5, readings: [36.5], mode: 'normal',
    };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatewarden-person-'));
    const path = join(dir, 'person.db');
    // Written by the v3 gateway: the resident's card and pass under two hashes.
    writeLegacyDatabase(path, hash, [
      { id: 'old-card', at: T0, gate: 'north', credential: 'card', subject: card('res-1'), alert: 'fever' },
      { id: 'old-pass', at: T0 + 1 * MIN, gate: 'north', credential: 'health-pass', subject: pass('res-1') },
      { id: 'old-neighbour', at: T0 + 2 * MIN, gate: 'north', credential: 'card', subject: card('res-2') },
      { id: 'old-plate', at: T0 + 60 * MIN, gate: 'south', credential: 'plate', subject: plate('粤B12345') },
      { id: 'old-unknown', at: T0 + 180 * MIN, gate: 'east', credential: 'card', subject: card('04DEADBEEF') },
    ]);
    db = openDatabase({ path, synchronous: 'normal', log: pino({ level: 'silent' }) });
    queries = new TraceQueries(db);
  });

  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migration 4 keeps the plate of an old vehicle passage as its vehicle hash', () => {
    expect(db.prepare('SELECT id, vehicle_hash FROM passages WHERE vehicle_hash IS NOT NULL').all()).toEqual([{ id: 'old-plate', vehicle_hash: hash(plate('粤B12345')) }]);
  });

  it('finds the whole trail of an old database before the re-key, with no self-contact', () => {
    const hashes = traceHashes(hash, cards, 'card', '04a1b2c3d4');
    expect(queries.trail({ hashes, ...whole }).map((e) => e.passageId)).toEqual(['old-card', 'old-pass']);
    expect(queries.contacts({ hashes, ...whole }, 5 * MIN).map((c) => c.subject)).toEqual([hash(card('res-2'))]);
  });

  it("re-keys roster cards to the person's health-pass hash, in passages and alerts, and logs the count", () => {
    firstRekey = rekeyRosterCards(db, hash, cards, log);
    expect(firstRekey).toEqual({ passages: 2, alerts: 1 });
    expect(logged.at(-1)).toMatchObject({ module: 'person-rekey', passages: 2, alerts: 1, subjects: 2 });
    const subjectOf = (id: string) => (db.prepare('SELECT subject_hash FROM passages WHERE id = ?').get(id) as { subject_hash: string }).subject_hash;
    expect(subjectOf('old-card')).toBe(hash(pass('res-1')));
    expect(subjectOf('old-pass')).toBe(hash(pass('res-1')));
    expect(subjectOf('old-neighbour')).toBe(hash(pass('res-2')));
    expect(subjectOf('old-unknown')).toBe(hash(card('04DEADBEEF')));
    expect(db.prepare("SELECT subject_hash FROM alerts WHERE id = 'a-old-card'").get()).toEqual({ subject_hash: hash(pass('res-1')) });

    // New rows, as the person-model lanes write them.
    const journal = new Journal(db, topicsFor('gatewarden/t'), hash);
    for (const row of [
      recorded('new-card', D, 'north', 'card', { subject: pass('res-1') }),
      recorded('new-pass', D + 1 * MIN, 'south', 'health-pass', { subject: pass('res-1') }),
      recorded('courier', D + 4 * MIN, 'south', 'health-pass', { subject: pass('courier-9') }),
      recorded('new-car', D + 120 * MIN, 'south', 'plate', { subject: pass('res-1'), vehicle: plate('粤B12345') }),
      recorded('van', D + 121 * MIN, 'south', 'plate', { vehicle: plate('ZZ99999') }),
    ]) journal.recordPassage(row, []);
  });

  it('is idempotent: a second start changes nothing', () => {
    const before = snapshot();
    expect(rekeyRosterCards(db, hash, cards, log)).toEqual({ passages: 0, alerts: 0 });
    expect(logged.at(-1)).toMatchObject({ passages: 0, alerts: 0 });
    expect(snapshot()).toEqual(before);
  });

  it("traces a resident's card to one trail of every credential, old and new rows, and never lists them as their own contact", () => {
    const hashes = traceHashes(hash, cards, 'card', ' 04a1b2c3d4 ');
    expect(hashes[0]).toBe(hash(pass('res-1')));
    const trail = queries.trail({ hashes, ...whole });
    expect(trail.map((e) => [e.passageId, e.credential])).toEqual([
      ['old-card', 'card'],
      ['old-pass', 'health-pass'],
      ['new-card', 'card'],
      ['new-pass', 'health-pass'],
      ['new-car', 'plate'],
    ]);
    const contacts = queries.contacts({ hashes, ...whole }, 5 * MIN);
    // The neighbour twice (by the resident's card and pass), the van beside the car, the courier 3 min after the pass.
    expect(contacts.map((c) => [c.subject, c.encounters, c.closestMs])).toEqual([
      [hash(pass('res-2')), 2, 1 * MIN],
      [hash(plate('ZZ99999')), 1, 1 * MIN],
      [hash(pass('courier-9')), 1, 3 * MIN],
    ]);
    expect(contacts.filter((c) => hashes.includes(c.subject))).toEqual([]);
  });

  it("gives the same trail by the health pass, and by the card's roster subject", () => {
    for (const [kind, id] of [['health-pass', 'res-1'], ['card', 'res-1']] as const) {
      const trail = queries.trail({ hashes: traceHashes(hash, cards, kind, id), ...whole });
      expect(trail.map((e) => e.passageId)).toEqual(['old-card', 'old-pass', 'new-card', 'new-pass', 'new-car']);
    }
  });

  it("finds an unknown card by its own UID, as typed", () => {
    const hashes = traceHashes(hash, cards, 'card', '04deadbeef');
    expect(hashes).toEqual([hash(card('04DEADBEEF'))]);
    expect(queries.trail({ hashes, ...whole }).map((e) => e.passageId)).toEqual(['old-unknown']);
  });

  it('traces a plate through old and new vehicle passages; its occupants are in the trail, not contacts', () => {
    const hashes = traceHashes(hash, cards, 'plate', '粤b 123-45');
    expect(queries.trail({ hashes, ...whole }).map((e) => e.passageId)).toEqual(['old-plate', 'new-car']);
    expect(queries.contacts({ hashes, ...whole }, 5 * MIN).map((c) => c.subject)).toEqual([hash(plate('ZZ99999'))]);
  });
});
