import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandName } from '../../../src/contract/command-schemas.js';
import { validateConfig } from '../../../src/config/load-config.js';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import type { VirtualBarrier } from '../../../src/drivers/virtual/virtual-barrier.js';
import type { VirtualScanner } from '../../../src/drivers/virtual/virtual-scanner.js';
import type { VirtualThermometer } from '../../../src/drivers/virtual/virtual-thermometer.js';
import { startGateway, type Gateway } from '../../../src/gateway.js';
import { PassIssuer } from '../../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../../src/secrets.js';
import { harnessConfig, waitFor } from '../../../support/gateway/gateway-harness.js';
import { RESIDENTS, SCREENED_BOTH_WAYS } from './pass-gateway.js';

/**
 * The rules read what the commands stored, so a restart (power cut, update)
 * changes nothing: the quarantine list, a visitor pass and an exit pass still
 * apply, and an exit pass used before the restart still raises exit-overdue
 * (even revoked after the resident left on it).
 */
describe('estate rules across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatewarden-rules-'));
  const now = { t: Date.UTC(2026, 2, 10, 6, 0, 0) };
  const issuerKey = generateEd25519('district-health');
  const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
  /** The resident's own green pass, shown after the card (the card only identifies; issue 11). */
  const passOf = (sub: string) => issuer.issue({ sub, col: 'green', iat: Math.floor(now.t / 1000) - 60, exp: Math.floor(now.t / 1000) + 3600 });
  const clock = { now: () => now.t };
  const config = validateConfig(
    harnessConfig(dir, {
      ...SCREENED_BOTH_WAYS,
      trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] },
      roster: { cards: RESIDENTS },
    }),
    'test',
  );
  let gateway: Gateway | undefined;
  const passages: PassageRecord[] = [];

  const start = async () => {
    gateway = await startGateway({ config, log: pino({ level: 'silent' }), clock, onPassage: (p) => passages.push(p) });
    return gateway;
  };
  const command = async (name: CommandName, body: Record<string, unknown>) => {
    // Exit passes are the approver's (the local epidemic-control group, rule 4).
    const role = name === 'exit-pass' || name === 'revoke-pass' ? 'approver' : 'manager';
    const reply = await gateway!.commands.execute({ name, id: `${name}-${now.t}`, body, actor: { via: 'cli', principal: 'test', role }, receivedAt: now.t });
    expect(reply).toMatchObject({ ok: true });
    return reply.data as Record<string, unknown>;
  };
  const scanOut = async (card: string, sub: string) => {
    const seen = passages.length;
    (gateway!.devices.get('out-thermo') as VirtualThermometer).present(36.5);
    (gateway!.devices.get('out-barrier') as VirtualBarrier).expectWalk(10);
    (gateway!.devices.get('out-scanner') as VirtualScanner).scan(card);
    await new Promise((resolve) => setTimeout(resolve, 100));
    (gateway!.devices.get('out-scanner') as VirtualScanner).scan(passOf(sub));
    const passage = await waitFor(() => passages[seen], 'a decision on the exit lane');
    await waitFor(() => gateway!.lanes.get('main/out')?.phase === 'idle', 'the exit lane idle again');
    return passage;
  };

  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps lists and passes, and alerts an exit pass used before the restart', async () => {
    await start();
    await command('lists', { list: 'quarantine', version: 'q-1', entries: [{ subject: 'resident-2' }] });
    const visitor = await command('visitor', { passId: 'V-1', subject: 'visitor-1', hostHousehold: '1-101', validFrom: '2026-03-10T00:00:00Z', validUntil: '2026-03-11T00:00:00Z', by: 'guard' });
    await command('lockdown', { reason: 'confirmed case', by: 'manager' });
    await command('exit-pass', { passId: 'E-1', subject: 'resident-1', reason: 'hospital', returnBy: '2026-03-10T08:00:00Z', by: 'approver' });
    expect((await scanOut('04AABBCC01', 'resident-1')).decision).toMatchObject({ verdict: 'grant', reasons: expect.arrayContaining(['EXIT_PASS_VALID', 'TEMP_NORMAL']) });
    // Revoked once the resident is out: it grants nothing more, but the resident is still expected back by its deadline.
    await command('revoke-pass', { pass: 'exit', passId: 'E-1', reason: 'issued for the wrong day', by: 'approver' });
    await gateway!.stop();
    gateway = undefined;

    now.t += 3 * 3_600_000;
    await start();
    expect((await scanOut('04AABBCC02', 'resident-2')).decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['QUARANTINED']) });
    expect(gateway!.estate.registry?.visitorPass('V-1')).toMatchObject({ hostHousehold: '1-101', revoked: false });
    expect(String(visitor.code)).toMatch(/^VP1:/);
    // Left at 06:00 on a pass due back at 08:00; it is 09:00 after the restart.
    expect(gateway!.rules.checkExitPasses()).toBe(1);
    expect(gateway!.rules.checkExitPasses()).toBe(0);
    expect(gateway!.db.prepare("SELECT json_extract(details, '$.passId') AS pass FROM alerts WHERE type = 'exit-overdue'").all()).toEqual([{ pass: 'E-1' }]);
  });
});
