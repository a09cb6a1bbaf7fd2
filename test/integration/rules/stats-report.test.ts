import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import type { ReasonCode } from '../../../src/core/reasons.js';
import { publishStats } from '../../../src/mqtt/reports.js';
import { topicsFor } from '../../../src/contract/topics.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { DrillReports } from '../../../src/store/drill-report.js';
import { Journal } from '../../../src/store/journal.js';
import { subjectHasher } from '../../../src/store/subject-hash.js';

const T0 = Date.UTC(2026, 2, 10, 0, 0, 0);
const topics = topicsFor('gatewarden/test');

function passage(n: number, gate: string, direction: 'in' | 'out', verdict: 'grant' | 'deny' | 'refer', reasons: ReasonCode[], drill = false): PassageRecord {
  return {
    id: `p-${n}`,
    at: T0 + n * 1000,
    gate,
    lane: direction,
    direction,
    kind: 'pedestrian',
    credential: 'card',
    subject: { kind: 'card', id: `resident-${n}` },
    decision: { verdict, reasons, rule: 'r', policyVersion: 'p' },
    temperatureC: null,
    readings: [],
    mode: 'normal',
    ...(drill ? { drill: true as const } : {}),
  };
}

/** The periodic report and the drill report, counted from a real SQLite file. */
describe('stats and drill reports', () => {
  let dir: string;
  let db: Db;
  let journal: Journal;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatewarden-stats-'));
    db = openDatabase({ path: join(dir, 'g.db'), synchronous: 'normal', log: pino({ level: 'silent' }) });
    journal = new Journal(db, topics, subjectHasher(Buffer.alloc(32, 1)));
    const rows: PassageRecord[] = [
      passage(1, 'north', 'in', 'grant', ['CARD_VALID', 'TEMP_NORMAL']),
      passage(2, 'north', 'in', 'deny', ['LOCKDOWN_NO_ENTRY'], true),
      passage(3, 'north', 'in', 'deny', ['FEVER'], true),
      passage(4, 'north', 'out', 'grant', ['CARD_VALID', 'EXIT_PASS_VALID'], true),
      passage(5, 'south', 'in', 'refer', ['NO_TEMPERATURE']),
      passage(6, 'south', 'in', 'grant', ['CODE_GREEN', 'FEVER_SOFT']),
    ];
    for (const row of rows) {
      const alerts = row.decision.reasons.includes('FEVER') ? [{ type: 'fever' as const, severity: 'critical' as const, at: row.at, gate: row.gate, passageId: row.id, reasons: ['FEVER' as const], details: { drill: true } }] : [];
      journal.recordPassage(row, alerts);
    }
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts entries, exits, refusals by reason and fevers per gate, stores them and queues the message in one go', () => {
    const message = publishStats(db, journal.outbox, topics, T0, T0 + 60_000);
    const { gates } = JSON.parse(message.payload) as { gates: Record<string, unknown> };
    expect(gates).toEqual({
      north: { grant: 2, deny: 2, refer: 0, alerts: 1, entries: 1, exits: 1, refusals: { LOCKDOWN_NO_ENTRY: 1, FEVER: 1 }, fevers: 1 },
      south: { grant: 1, deny: 0, refer: 1, alerts: 0, entries: 1, exits: 0, refusals: { NO_TEMPERATURE: 1 }, fevers: 1 },
    });
    const stored = db.prepare('SELECT gate, entries, exits, refusals, fevers FROM stats ORDER BY gate').all() as Array<{ refusals: string }>;
    expect(stored.map((row) => ({ ...row, refusals: JSON.parse(row.refusals) as unknown }))).toEqual([
      { gate: 'north', entries: 1, exits: 1, refusals: { LOCKDOWN_NO_ENTRY: 1, FEVER: 1 }, fevers: 1 },
      { gate: 'south', entries: 1, exits: 0, refusals: { NO_TEMPERATURE: 1 }, fevers: 1 },
    ]);
    expect(db.prepare('SELECT topic FROM outbox WHERE topic = ?').all(topics.stats)).toHaveLength(1);
  });

  it('an interval counted again replaces its rows', () => {
    publishStats(db, journal.outbox, topics, T0, T0 + 60_000);
    publishStats(db, journal.outbox, topics, T0, T0 + 60_000);
    expect(db.prepare('SELECT count(*) AS n FROM stats').get()).toEqual({ n: 2 });
  });

  it('a drill report counts only the drill-tagged passages and alerts', () => {
    expect(new DrillReports(db).report({ id: 'D-1', scenario: 'lockdown', from: T0, to: T0 + 60_000 })).toMatchObject({
      passages: 3,
      verdicts: { deny: 2, grant: 1 },
      reasons: { LOCKDOWN_NO_ENTRY: 1, CARD_VALID: 1, FEVER: 1, EXIT_PASS_VALID: 1 },
      alerts: { fever: 1 },
    });
  });
});
