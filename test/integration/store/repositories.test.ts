import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertReads } from '../../../src/store/alert-reads.js';
import { CommandRecords } from '../../../src/store/command-records.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { ModeStore } from '../../../src/store/mode-store.js';
import { PassageReads } from '../../../src/store/passage-reads.js';

/**
 * The repositories prepare each statement once (issue 13): the command path used to prepare its SQL anew on every
 * call, and the API's lists on every request. Counted by wrapping `db.prepare` after construction.
 */
describe('store repositories', () => {
  let db: Db;
  let prepared: string[];

  beforeEach(() => {
    db = openDatabase({ path: ':memory:', synchronous: 'normal', log: pino({ level: 'silent' }) });
    prepared = [];
  });

  afterEach(() => db.close());

  function countPrepares(): void {
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as Db['prepare'];
  }

  it('command records: writes and reads back lists, policies, drills and passes with no prepare after construction', () => {
    const records = new CommandRecords(db);
    countPrepares();
    for (let i = 0; i < 3; i += 1) {
      records.writeList('quarantine', `v${i}`, [{ subject: `s${i}` }], 1000 + i, `c${i}`);
      records.writePolicy('p1', '{"a":1}', 1000, 'c-policy');
      records.startDrill({ drillId: 'd1', scenario: 'fire', startedAt: 1000, endsAt: null, by: 'ops', commandId: `c-drill-${i}`, enforce: true });
      records.writeExitPass({ passId: 'E1', subjectHash: 'h1', household: '3-201', reason: 'hospital', validFrom: 1000, returnBy: 9000, issuedBy: 'approver', commandId: `c-exit-${i}` });
    }
    expect(records.listEntries('quarantine')).toEqual([{ subject: 's2' }]);
    expect(records.listEntries('contacts')).toEqual([]);
    expect(records.policyBody('p1')).toBe('{"a":1}');
    expect(records.policyBody('p2')).toBeUndefined();
    expect(records.runningDrill('d1')).toEqual({ scenario: 'fire', startedAt: 1000 });
    records.stopDrill('d1', 2000, records.drillReport({ id: 'd1', scenario: 'fire', from: 1000, to: 2001 }));
    expect(records.runningDrill('d1')).toBeUndefined();
    expect(records.passRevokedAt('exit', 'E1')).toBeNull();
    records.revokePass('exit', 'E1', 3000);
    records.revokePass('exit', 'E1', 4000);
    expect(records.passRevokedAt('exit', 'E1')).toBe(3000);
    expect(records.passRevokedAt('visitor', 'E1')).toBeUndefined();
    expect(records.visitorRegistered('h1')).toBe(false);
    expect(prepared).toEqual([]);
  });

  it('modes: saved per scope, read back as stored, no prepare after construction', () => {
    const modes = new ModeStore(db);
    countPrepares();
    modes.save('estate', { mode: 'lockdown', reason: 'case', by: 'guard', since: 1000, expiresAt: null, drill: false }, 'c1');
    modes.save('main', { mode: 'emergency-open', reason: 'fire', by: 'guard', since: 2000, expiresAt: 5000, drill: true }, 'c2');
    modes.save('estate', { mode: 'normal', reason: 'lifted', by: 'manager', since: 3000, expiresAt: null, drill: false }, 'c3');
    expect(modes.all().sort((a, b) => a.scope.localeCompare(b.scope))).toEqual([
      { scope: 'estate', mode: 'normal', reason: 'lifted', by: 'manager', since: 3000, expiresAt: null, drill: false },
      { scope: 'main', mode: 'emergency-open', reason: 'fire', by: 'guard', since: 2000, expiresAt: 5000, drill: true },
    ]);
    expect(prepared).toEqual([]);
  });

  it('filtered lists: one prepare per set of filters, kept for the next page', () => {
    const passages = new PassageReads(db);
    const alerts = new AlertReads(db);
    countPrepares();
    for (let i = 0; i < 3; i += 1) {
      passages.list({ gate: 'main' }, 10 + i);
      passages.list({ gate: 'main', after: { at: 1000, id: `p${i}` } }, 10);
      alerts.list({ acked: false }, 5 + i);
    }
    expect(prepared).toHaveLength(3);
  });
});
