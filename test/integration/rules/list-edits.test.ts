import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPassGateway, type PassGateway } from './pass-gateway.js';

/**
 * Lists are edited entry by entry (issue 11): `op: add` and `op: remove` on
 * the quarantine list change the gate's decision for that one person, each
 * edit is a new stored version with an audit row, and whole-list replacement
 * still works.
 */
describe('lists edited entry by entry', () => {
  let gw: PassGateway;
  const stored = (name: string) => {
    const row = gw.harness.gateway.db.prepare('SELECT version, entries, command_id FROM lists WHERE name = ?').get(name) as { version: string; entries: string; command_id: string } | undefined;
    return row && { version: row.version, entries: JSON.parse(row.entries) as Array<Record<string, unknown>>, commandId: row.command_id };
  };
  /** The person goes in and, let in, back out: the next entry of the same person is no replay. */
  const entry = async (sub: string) => {
    const { decision } = await gw.scan('in', gw.pass(sub));
    if (decision.verdict === 'grant') await gw.scan('out', gw.pass(sub));
    return decision;
  };

  beforeAll(async () => {
    gw = await startPassGateway();
  });
  afterAll(async () => gw?.stop());

  it('adds a quarantine entry: that person is refused, the other still let in', async () => {
    expect(await entry('resident-2')).toMatchObject({ verdict: 'grant' });
    const reply = await gw.command('manager', 'lists', { list: 'quarantine', op: 'add', version: 'q-1', entries: [{ subject: 'resident-2' }] }, 'q-add');
    expect(reply).toEqual({ id: 'q-add', ok: true, data: { list: 'quarantine', op: 'add', version: 'q-1', entries: 1, added: 1 } });
    expect(gw.audit('q-add')).toEqual([{ ok: 1, code: null, role: 'manager', principal: 'test-manager' }]);
    expect(stored('quarantine')).toMatchObject({ version: 'q-1', commandId: 'q-add' });
    expect(await entry('resident-2')).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['QUARANTINED']) });
    expect(await entry('resident-1')).toMatchObject({ verdict: 'grant' });
  });

  it('adds a second entry beside the first, and replaces the entry of the same person', async () => {
    expect(await gw.command('district', 'lists', { list: 'quarantine', op: 'add', version: 'q-2', entries: [{ subject: 'resident-1', until: '2099-01-01T00:00:00Z' }] })).toMatchObject({ ok: true, data: { entries: 2 } });
    expect(await gw.command('district', 'lists', { list: 'quarantine', op: 'add', version: 'q-3', entries: [{ subject: 'resident-1', until: '2000-01-01T00:00:00Z' }] })).toMatchObject({ ok: true, data: { entries: 2 } });
    expect(stored('quarantine')?.entries).toHaveLength(2);
    // The replaced entry ended in 2000: resident-1 is let in again; resident-2 is still quarantined.
    expect(await entry('resident-1')).toMatchObject({ verdict: 'grant' });
    expect(await entry('resident-2')).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['QUARANTINED']) });
  });

  it('removes an entry by subject alone: that person is let in again; a subject not on the list is a warning', async () => {
    const reply = await gw.command('manager', 'lists', { list: 'quarantine', op: 'remove', version: 'q-4', entries: [{ subject: 'resident-2' }, { subject: 'resident-77' }] }, 'q-remove');
    expect(reply).toMatchObject({ ok: true, data: { op: 'remove', version: 'q-4', entries: 1, removed: 1 }, warnings: [expect.stringMatching(/^quarantine has no entry with subject "[\w-]{22}"$/)] });
    expect(gw.audit('q-remove')).toEqual([{ ok: 1, code: null, role: 'manager', principal: 'test-manager' }]);
    expect(stored('quarantine')).toMatchObject({ version: 'q-4', commandId: 'q-remove' });
    expect(await entry('resident-2')).toMatchObject({ verdict: 'grant' });
  });

  it('refuses a remove entry with more than its key, and an add entry of the wrong shape, changing nothing', async () => {
    const before = stored('quarantine');
    expect(await gw.command('manager', 'lists', { list: 'quarantine', op: 'remove', version: 'q-5', entries: [{ subject: 'resident-1', until: '2099-01-01T00:00:00Z' }] })).toMatchObject({
      ok: false,
      error: { code: 'GW_COMMAND_INVALID', details: ['entries[0].until: unknown key'] },
    });
    expect(await gw.command('manager', 'lists', { list: 'risk-areas', op: 'add', version: 'r-x', entries: [{ code: 'nowhere', level: 'high' }] })).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_INVALID' } });
    expect(stored('quarantine')).toEqual(before);
    expect(stored('risk-areas')).toBeUndefined();
  });

  it('warns about subjects nobody has met, on add and on replace', async () => {
    const added = await gw.command('manager', 'lists', { list: 'contacts', op: 'add', version: 'c-1', entries: [{ subject: 'resident-1' }, { subject: 'nobody-42' }] });
    expect(added).toMatchObject({ ok: true, warnings: [expect.stringMatching(/^subject [\w-]{22} matches no roster card, visitor registration or recorded passage$/)] });
    // Resent whole, the list is checked for what is new to it only: nobody-42 was warned about when added.
    const resent = await gw.command('manager', 'lists', { list: 'contacts', version: 'c-1b', entries: [{ subject: 'resident-1' }, { subject: 'nobody-42' }] });
    expect(resent).toMatchObject({ ok: true, data: { entries: 2 } });
    expect(resent.warnings).toBeUndefined();
    // A roster card's UID names its holder; a visitor's registration and a recorded passage make a person known.
    expect(await gw.scan('in', gw.pass('walker-5'))).toMatchObject({ subject: { kind: 'health-pass', id: 'walker-5' } });
    expect(await gw.command('guard', 'visitor', { passId: 'V-1', subject: 'visitor-1', hostHousehold: '1-101', validFrom: new Date().toISOString(), validUntil: new Date(Date.now() + 3_600_000).toISOString(), by: 'guard-li' })).toMatchObject({ ok: true });
    const replaced = await gw.command('manager', 'lists', { list: 'contacts', version: 'c-2', entries: [{ subject: '04AABBCC02' }, { subject: 'visitor-1' }, { subject: 'walker-5' }] });
    expect(replaced).toMatchObject({ ok: true, data: { list: 'contacts', op: 'replace', version: 'c-2', entries: 3 } });
    expect(replaced.warnings).toBeUndefined();
  });

  it('edits a keyed list other than by subject (risk areas by code), and replace still sends a list whole', async () => {
    expect(await gw.command('district', 'lists', { list: 'risk-areas', version: 'r-1', entries: [{ code: '350502', level: 'high' }, { code: '350503', level: 'medium' }] })).toMatchObject({ ok: true });
    expect(await gw.command('district', 'lists', { list: 'risk-areas', op: 'add', version: 'r-2', entries: [{ code: '350503', level: 'high' }] })).toMatchObject({ ok: true, data: { entries: 2 } });
    expect(await gw.command('district', 'lists', { list: 'risk-areas', op: 'remove', version: 'r-3', entries: [{ code: '350502' }] })).toMatchObject({ ok: true, data: { entries: 1 } });
    expect(stored('risk-areas')).toMatchObject({ version: 'r-3', entries: [{ code: '350503', level: 'high' }] });
    expect(gw.harness.gateway.estate.registry?.risk(Date.now())).toMatchObject({ version: 'r-3', levels: new Map([['350503', 'high']]) });
  });
});
