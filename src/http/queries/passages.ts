import { setImmediate } from 'node:timers/promises';
import type { Db } from '../../store/database.js';
import { iso, type PassageView } from '../schemas.js';
import { AFTER_CURSOR, decodeCursor, page } from './cursor.js';

/** Rows per query of an export: short statements, so the lanes' writes interleave. */
const EXPORT_PAGE = 500;

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

interface PassageRow {
  id: string;
  at: number;
  gate: string;
  lane: string;
  direction: 'in' | 'out';
  kind: string;
  credential: string;
  verdict: 'grant' | 'deny' | 'refer';
  reasons: string;
  rule: string;
  policy_version: string;
  temperature_c: number | null;
  mode: string;
  outcome: string | null;
}

/** Passage search for the page and the CSV export; served by the (gate, at) and (at) indexes. Subject hashes are not exposed here. */
export class PassageQueries {
  constructor(private readonly db: Db) {}

  list(filter: PassageFilter, limit: number): { items: PassageView[]; nextCursor: string | null } {
    const rows = this.select(filter, limit + 1).all(this.params(filter)) as PassageRow[];
    return page(rows, limit, toView);
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

  private select(filter: PassageFilter, limit: number) {
    const where = [
      filter.gate === undefined ? '' : 'gate = @gate',
      filter.lane === undefined ? '' : 'lane = @lane',
      filter.verdict === undefined ? '' : 'verdict = @verdict',
      filter.from === undefined ? '' : 'at >= @from',
      filter.to === undefined ? '' : 'at < @to',
      filter.cursor === undefined ? '' : AFTER_CURSOR,
    ].filter(Boolean);
    return this.db.prepare(`
      SELECT id, at, gate, lane, direction, kind, credential, verdict, reasons, rule, policy_version, temperature_c, mode, outcome
      FROM passages ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, id DESC LIMIT ${Math.trunc(limit)}`);
  }

  private params(filter: PassageFilter): Record<string, unknown> {
    const cursor = decodeCursor(filter.cursor);
    const { cursor: _omit, ...rest } = filter;
    return { ...rest, ...(cursor ? { cursorAt: cursor.at, cursorId: cursor.id } : {}) };
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
