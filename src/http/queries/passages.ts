import { setImmediate } from 'node:timers/promises';
import type { Db } from '../../store/database.js';
import { PassageReads, type PassageRow } from '../../store/passage-reads.js';
import { iso, type PassageView } from '../schemas.js';
import { decodeCursor, page } from './cursor.js';

/** Rows per query of an export: short statements, so the lanes' writes interleave. */
const EXPORT_PAGE = 100;

export interface PassageFilter {
  gate?: string;
  lane?: string;
  verdict?: 'grant' | 'deny' | 'refer';
  /** Unix ms, inclusive. */
  from?: number;
  /** Unix ms, exclusive. */
  to?: number;
  cursor?: string;
}

/** Passage search for the page and the CSV export; served by the (gate, at) and (at) indexes. Subject hashes are not exposed here. */
export class PassageQueries {
  private readonly reads: PassageReads;

  constructor(db: Db) {
    this.reads = new PassageReads(db);
  }

  list(filter: PassageFilter, limit: number): { items: PassageView[]; nextCursor: string | null } {
    const { cursor, ...rest } = filter;
    const after = decodeCursor(cursor);
    return page(this.reads.list({ ...rest, ...(after ? { after } : {}) }, limit + 1), limit, toView);
  }

  /**
   * Rows one by one, for a streamed export, read a page at a time with a turn
   * of the event loop between pages. An open better-sqlite3 iterator would hold
   * the one connection busy while the client downloads (every lane's passage
   * write would fail), and a download pumped without a break keeps the lanes'
   * serial reads waiting.
   */
  async *iterate(filter: PassageFilter, limit: number): AsyncGenerator<PassageView> {
    let left = limit;
    let cursor = filter.cursor;
    while (left > 0) {
      const { items, nextCursor } = this.list({ ...filter, ...(cursor === undefined ? {} : { cursor }) }, Math.min(EXPORT_PAGE, left));
      yield* items;
      left -= items.length;
      if (nextCursor === null) return;
      cursor = nextCursor;
      await setImmediate();
    }
  }
}

function toView(row: PassageRow): PassageView {
  return {
    id: row.id,
    at: iso(row.at),
    gate: row.gate,
    lane: row.lane,
    direction: row.direction,
    kind: row.kind,
    credential: row.credential,
    verdict: row.verdict,
    reasons: JSON.parse(row.reasons) as string[],
    rule: row.rule,
    policyVersion: row.policy_version,
    temperatureC: row.temperature_c,
    mode: row.mode,
    outcome: row.outcome,
  };
}
