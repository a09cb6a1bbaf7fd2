import { describe, expect, it } from 'vitest';
import { isCalendarDateTime } from '../../../src/schema/date-time.js';

describe('isCalendarDateTime: an ISO 8601 date-time on a day that exists', () => {
  it.each([
    '2027-02-28T10:00:00Z',
    '2028-02-29T10:00Z',
    '2000-02-29T00:00:00.5+08:00',
    '2027-04-30T23:59:59-05:30',
    '2027-12-31T00:00:00Z',
  ])('takes %s', (text) => expect(isCalendarDateTime(text)).toBe(true));

  it.each([
    ['31 February, which Date.parse takes as 3 March', '2027-02-31T10:00:00Z'],
    ['29 February of a common year', '2027-02-29T10:00:00Z'],
    ['29 February 2100 (a century, not a leap year)', '2100-02-29T10:00:00Z'],
    ['31 April', '2027-04-31T10:00:00Z'],
    ['day 0', '2027-05-00T10:00:00Z'],
    ['month 13', '2027-13-01T10:00:00Z'],
    ['hour 24', '2027-01-01T24:00:00Z'],
    ['second 60', '2027-01-01T10:00:60Z'],
    ['offset +25:00', '2027-01-01T10:00:00+25:00'],
    ['no zone', '2027-01-01T10:00:00'],
    ['a date alone', '2027-01-01'],
  ])('refuses %s', (_name, text) => expect(isCalendarDateTime(text)).toBe(false));
});
