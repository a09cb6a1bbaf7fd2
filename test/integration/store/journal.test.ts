import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertDraft } from '../../../src/core/alerts.js';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import { topicsFor } from '../../../src/contract/topics.js';
import { openDatabase, relaxedWriter, type Db } from '../../../src/store/database.js';
import { Journal } from '../../../src/store/journal.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { subjectHasher } from '../../../src/store/subject-hash.js';

const log = pino({ level: 'silent' });
const topics = topicsFor('gatewarden/test');

function passage(id: string, overrides: Partial<PassageRecord> = {}): PassageRecord {
  return {
    id,
    at: 1_800_000_000_000,
    gate: 'main',
    lane: 'in',
    direction: 'in',
    kind: 'pedestrian',
    credential: 'health-pass',
    subject: { kind: 'health-pass', id: 'citizen-4412' },
    decision: { verdict: 'deny', reasons: ['FEVER'], rule: 'temperature-screening', policyVersion: 'p1' },
    temperatureC: 38.4,
    readings: [38.5, 38.4],
    mode: 'normal',
    ...overrides,
  };
}

const fever: AlertDraft = { type: 'fever', severity: 'critical', at: 1_800_000_000_000, gate: 'main', lane: 'in', passageId: 'p-1', reasons: ['FEVER'], details: { temperatureC: 38.4 } };

describe('journal on a real SQLite file', () => {
  let dir: string;
  let path: string;
  let db: Db;
  let journal: Journal;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatewarden-store-'));
    path = join(dir, 'test.db');
    db = openDatabase({ path, synchronous: 'full', log });
    journal = new Journal(db, topics, subjectHasher(Buffer.alloc(32, 7)));
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens in WAL mode with every migration applied', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
  });

  it('re-opening an up-to-date database applies nothing twice', () => {
    db.close();
    db = openDatabase({ path, synchronous: 'normal', log });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
  });

  it('writes the passage, its alerts and their outgoing messages together', async () => {
    const alertIds = await journal.recordPassage(passage('p-1'), [fever]);
    expect(alertIds).toHaveLength(1);
    const row = db.prepare('SELECT verdict, reasons, temperature_c, readings FROM passages WHERE id = ?').get('p-1');
    expect(row).toEqual({ verdict: 'deny', reasons: '["FEVER"]', temperature_c: 38.4, readings: '[38.5,38.4]' });
    const topicsQueued = (db.prepare('SELECT topic FROM outbox ORDER BY seq').all() as Array<{ topic: string }>).map((r) => r.topic);
    expect(topicsQueued).toEqual(['gatewarden/test/passages/main/in', 'gatewarden/test/alerts/fever']);
    const alertMessage = JSON.parse((db.prepare('SELECT payload FROM outbox WHERE topic LIKE ?').get('%alerts%') as { payload: string }).payload);
    expect(alertMessage).toMatchObject({ id: alertIds[0], v: 1, type: 'fever', passageId: 'p-1', reasons: ['FEVER'] });
  });

  it('keeps nothing of a passage whose transaction fails', async () => {
    await journal.recordPassage(passage('p-1'), []);
    // The same id again violates the primary key: the alert and messages of the second write must not survive either.
    await expect(journal.recordPassage(passage('p-1'), [fever])).rejects.toThrow(/UNIQUE/);
    expect(db.prepare('SELECT count(*) AS n FROM passages').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM alerts').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 1 });
  });

  it('stores subjects only as keyed hashes', () => {
    journal.recordPassage(passage('p-1'), [fever]);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(path);
    expect(file.includes(Buffer.from('citizen-4412'))).toBe(false);
    const { subject_hash: hash } = db.prepare('SELECT subject_hash FROM passages').get() as { subject_hash: string };
    expect(hash).toBe(subjectHasher(Buffer.alloc(32, 7))({ kind: 'health-pass', id: 'citizen-4412' }));
    expect(hash).not.toBe(subjectHasher(Buffer.alloc(32, 8))({ kind: 'health-pass', id: 'citizen-4412' }));
  });

  it('settles a passage once and keeps the first outcome', () => {
    journal.recordPassage(passage('p-1', { decision: { verdict: 'grant', reasons: ['CODE_GREEN', 'TEMP_NORMAL'], rule: 'health-code-colour', policyVersion: 'p1' } }), []);
    journal.settlePassage('p-1', 'passed', 1_800_000_001_000);
    journal.settlePassage('p-1', 'not-passed', 1_800_000_002_000);
    expect(db.prepare('SELECT outcome, settled_at FROM passages').get()).toEqual({ outcome: 'passed', settled_at: 1_800_000_001_000 });
  });

  it('hands out the outbox oldest first and forgets only acknowledged rows', () => {
    journal.recordPassage(passage('p-1'), [fever]);
    journal.recordPassage(passage('p-2'), []);
    const rows = journal.outbox.peek(0, 10);
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => a - b));
    expect(journal.outbox.peek(rows[0]!.seq, 10)).toHaveLength(2);
    journal.outbox.acknowledge([rows[0]!.seq, rows[2]!.seq]);
    expect(journal.outbox.peek(0, 10).map((r) => r.seq)).toEqual([rows[1]!.seq]);
    expect(journal.outbox.stats(1_800_000_010_000)).toEqual({ depth: 1, oldestAgeMs: 10_000 });
  });

  it('writes settles and outbox deletes under synchronous NORMAL, and the next decision commits with FULL again', () => {
    const level = () => db.pragma('synchronous', { simple: true });
    const relaxed = relaxedWriter(db);
    expect(relaxed(level)).toBe(1);
    expect(() => relaxed(() => { throw new Error('disk on fire'); })).toThrow('disk on fire');
    expect(level()).toBe(2);
    journal.recordPassage(passage('p-1'), []);
    journal.settlePassage('p-1', 'passed', 1_800_000_001_000);
    expect(level()).toBe(2);
    journal.outbox.acknowledge(journal.outbox.peek(0, 10).map((r) => r.seq));
    expect(level()).toBe(2);
    expect(db.prepare('SELECT outcome FROM passages').get()).toEqual({ outcome: 'passed' });
    expect(journal.outbox.stats(0).depth).toBe(0);
  });

  it('leaves a database opened with synchronous NORMAL as it is', () => {
    const normal = openDatabase({ path: join(dir, 'normal.db'), synchronous: 'normal', log });
    expect(relaxedWriter(normal)(() => normal.pragma('synchronous', { simple: true }))).toBe(1);
    expect(normal.pragma('synchronous', { simple: true })).toBe(1);
    normal.close();
  });
});
