import { isKnownTimeZone } from '../schema/time-zone.js';

/**
 * Local wall-clock time in the estate's time zone (config `estate.timeZone`),
 * for the page's counters and the CSV export: the store keeps UTC ms. Every
 * IANA offset is a whole number of quarter hours, so a UTC quarter hour is one
 * local quarter hour: its parts are computed once and reused (an export
 * formats thousands of rows).
 */
const QUARTER_HOUR_MS = 900_000;

export interface ZonedParts {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** 0..23 in the zone. */
  hour: number;
  minute: number;
  second: number;
}

export class EstateClock {
  private formatter: Intl.DateTimeFormat | undefined;
  private readonly cache = new Map<number, { date: string; hour: number; minute: number }>();

  /** Throws RangeError on a zone the runtime does not know, so a wrong `estate.timeZone` stops the start. */
  constructor(readonly timeZone: string) {
    // The formatter is made when the first time is formatted: making one loads ICU's calendar and locale data.
    if (!isKnownTimeZone(timeZone)) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
  }

  private get format(): Intl.DateTimeFormat {
    this.formatter ??= makeFormat(this.timeZone);
    return this.formatter;
  }

  parts(ms: number): ZonedParts {
    const slot = Math.floor(ms / QUARTER_HOUR_MS);
    let start = this.cache.get(slot);
    if (!start) {
      const parts = this.format.formatToParts(slot * QUARTER_HOUR_MS);
      const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '00';
      start = { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')), minute: Number(get('minute')) };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(slot, start);
    }
    const into = ms - slot * QUARTER_HOUR_MS;
    return { date: start.date, hour: start.hour, minute: start.minute + Math.floor(into / 60_000), second: Math.floor((into % 60_000) / 1000) };
  }

  /** "YYYY-MM-DD HH:mm:ss" in the zone. */
  local(ms: number): string {
    const p = this.parts(ms);
    const two = (n: number) => String(n).padStart(2, '0');
    return `${p.date} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
  }
}

function makeFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}
