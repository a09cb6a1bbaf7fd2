import { Type } from '@sinclair/typebox';

/**
 * The one ISO 8601 date-time every input is read with: MQTT command fields,
 * HTTP bodies and query strings, the config. `Date.parse` gives NaN for month
 * 13 or minute 60, and rolls a day the month does not have over into the next
 * month (found from outside: a visitor pass valid until 31 February 2027 was
 * stored as valid until 3 March). So the text must name a day that exists;
 * the ajv format `date-time` is this check on every validator (validate.ts,
 * src/http/validation.ts), so a field's error names the field.
 */
const SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/** `YYYY-MM-DDThh:mm[:ss[.fraction]]` with `Z` or `±hh:mm`, on a day, hour and minute that exist. */
export function isCalendarDateTime(text: string): boolean {
  const match = SHAPE.exec(text);
  if (!match) return false;
  // Seconds and the offset may be absent: 0.
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  return hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
}

/** What ajv's `addFormat('date-time', …)` takes: every validator of the gateway checks the format with isCalendarDateTime. */
export const DATE_TIME_FORMAT = { type: 'string', validate: isCalendarDateTime } as const;

/** An input date-time field: text that isCalendarDateTime accepts. */
export const DateTimeInput = Type.String({ format: 'date-time', description: 'ISO 8601 date-time (YYYY-MM-DDThh:mm[:ss[.fraction]], Z or ±hh:mm) on a day that exists' });
