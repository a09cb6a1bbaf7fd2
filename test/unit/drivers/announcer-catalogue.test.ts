import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkCatalogue, loadClipCatalogue, type ClipCatalogue } from '../../../src/drivers/announcer/announcer-clips.js';
import { listProfiles, loadProfile, validateProfile } from '../../../src/drivers/profile/load-profile.js';
import { REASON_CODES } from '../../../src/core/reasons.js';
import type { GatewardenError } from '../../../src/errors.js';
import { chooseClip } from '../../../src/lane/announcements.js';

const devicesDir = fileURLToPath(new URL('../../../devices', import.meta.url));

describe('announcer catalogue and profiles', () => {
  const catalogue = loadClipCatalogue(devicesDir, 'announcer-clips');

  it('ships a UART module profile per command set and a local player', async () => {
    const names = await listProfiles(devicesDir);
    const announcers = (await Promise.all(names.map((name) => loadProfile(devicesDir, name)))).filter((p) => p.role === 'announcer');
    expect(announcers.map((p) => [p.model, p.transport.kind, p.announcer?.module?.protocol ?? p.announcer?.player?.command])).toEqual([
      ['voice-aplay-local', 'local', 'aplay'],
      ['voice-dfplayer-mini', 'serial-line', 'dfplayer'],
      ['voice-jq8900', 'serial-line', 'jq8900'],
    ]);
    for (const profile of announcers) expect(() => loadClipCatalogue(devicesDir, profile.announcer?.catalogue ?? '')).not.toThrow();
  });

  it('has a clip for every decision: each reason code under each verdict', () => {
    for (const verdict of ['grant', 'deny', 'refer'] as const) {
      for (const reason of REASON_CODES) expect(chooseClip(catalogue, { on: 'decision', verdict, reasons: [reason] }), `${verdict} ${reason}`).toBeDefined();
    }
  });

  it('refuses a rule naming a clip it does not list, and an unknown reason code', () => {
    const broken: ClipCatalogue = { language: 'zh-CN', clips: { '1': '请出示健康码' }, rules: [{ on: 'awaiting-code', clip: 2 }] };
    expect(checkCatalogue(broken)).toEqual(['rules[0].clip: expected a number listed in clips, 2 is not']);
    expect(() => loadClipCatalogue(devicesDir, 'no-such-catalogue')).toThrow(/cannot read clip catalogue/);
  });

  it('says which announcer section a transport needs, and refuses other roles over local', () => {
    const errorsOf = (data: unknown) => {
      try {
        validateProfile(data, 'x', 'x.yaml');
        return [];
      } catch (error) {
        return (error as GatewardenError).details;
      }
    };
    const base = { model: 'x', description: 'x', timing: {} };
    expect(errorsOf({ ...base, role: 'announcer', transport: { kind: 'serial-line' }, announcer: {} })).toEqual(['announcer.module: required key is missing (announcer over serial-line)']);
    expect(errorsOf({ ...base, role: 'announcer', transport: { kind: 'local' }, announcer: {} })).toEqual(['announcer.player: required key is missing (announcer over local)']);
    expect(errorsOf({ ...base, role: 'announcer', transport: { kind: 'modbus-rtu' }, announcer: {} })).toEqual(['transport.kind: announcer is not supported over modbus-rtu']);
    expect(errorsOf({ ...base, role: 'thermometer', transport: { kind: 'local' }, plausible: { min: 30, max: 43 } })).toEqual(['transport.kind: thermometer is not supported over local']);
  });
});
