import { describe, expect, it } from 'vitest';
import { EstateClock } from '../../../src/http/time-zone.js';

describe('EstateClock', () => {
  it('refuses a zone the runtime does not know, when it is made', () => {
    expect(() => new EstateClock('Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('takes canonical zones, UTC and an alias the zone list leaves out', () => {
    for (const zone of ['Asia/Shanghai', 'UTC', 'Asia/Calcutta']) expect(new EstateClock(zone).timeZone).toBe(zone);
  });

  it('gives local parts in the zone, across a date line and a daylight-saving change', () => {
    // 2026-03-29 01:30 UTC: Berlin has just gone to summer time (03:30 CEST); Shanghai is 09:30 the same day.
    const at = Date.UTC(2026, 2, 29, 1, 30, 15);
    expect(new EstateClock('Europe/Berlin').local(at)).toBe('2026-03-29 03:30:15');
    expect(new EstateClock('Asia/Shanghai').local(at)).toBe('2026-03-29 09:30:15');
    expect(new EstateClock('America/Los_Angeles').local(at)).toBe('2026-03-28 18:30:15');
    expect(new EstateClock('Asia/Calcutta').local(at)).toBe('2026-03-29 07:00:15');
  });
});
