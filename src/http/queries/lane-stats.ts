import type { PassageReads } from '../../store/passage-reads.js';
import type { EstateClock } from '../time-zone.js';

/** Confirmed fevers (the red ones on the page, labels.ts URGENT). */
const FEVER_REASONS = ['FEVER', 'FEVER_SOFT'];

export interface HourBuckets {
  /** Decisions that opened the lane. */
  passed: number[];
  /** Denied or referred: nothing opened. */
  refused: number[];
  fevers: number[];
}

export interface LaneDay {
  gate: string;
  lane: string;
  totals: { passed: number; refused: number; fevers: number };
  hours: HourBuckets;
}

/**
 * Today's passages of every lane, in 24 buckets of the estate's local hours:
 * one indexed range read of the last 26 hours (today is at most 25 hours long
 * across a DST change), then only the rows whose local date is today's.
 */
export function laneDays(passages: PassageReads, clock: EstateClock, now: number, laneIds: ReadonlyArray<{ gate: string; lane: string }>): LaneDay[] {
  const today = clock.parts(now).date;
  const days = new Map(laneIds.map(({ gate, lane }) => [`${gate}/${lane}`, emptyDay(gate, lane)]));
  for (const row of passages.between(now - 26 * 3_600_000, now)) {
    const day = days.get(`${row.gate}/${row.lane}`);
    const local = clock.parts(row.at);
    if (!day || local.date !== today) continue;
    const kind = row.verdict === 'grant' ? 'passed' : 'refused';
    day.hours[kind][local.hour] = (day.hours[kind][local.hour] ?? 0) + 1;
    day.totals[kind] += 1;
    if (FEVER_REASONS.some((code) => row.reasons.includes(`"${code}"`))) {
      day.hours.fevers[local.hour] = (day.hours.fevers[local.hour] ?? 0) + 1;
      day.totals.fevers += 1;
    }
  }
  return [...days.values()];
}

function emptyDay(gate: string, lane: string): LaneDay {
  const zeros = () => Array.from({ length: 24 }, () => 0);
  return { gate, lane, totals: { passed: 0, refused: 0, fevers: 0 }, hours: { passed: zeros(), refused: zeros(), fevers: zeros() } };
}
