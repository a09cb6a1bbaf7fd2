import type { Db } from './database.js';

/** One gate's counts for one interval of the periodic report (estate plan, rule 7). */
export interface GateStats {
  grant: number;
  deny: number;
  refer: number;
  alerts: number;
  entries: number;
  exits: number;
  refusals: Record<string, number>;
  fevers: number;
}

const FEVER_REASONS = ['FEVER', 'FEVER_SOFT', 'FEVER_UNCONFIRMED'];

/**
 * Counts passages and alerts per gate in [from, to) from the tables, so a
 * report after an outage still counts every passage of its interval.
 */
export function countStats(db: Db, from: number, to: number): Record<string, GateStats> {
  const gates: Record<string, GateStats> = {};
  const row = (gate: string) => (gates[gate] ??= { grant: 0, deny: 0, refer: 0, alerts: 0, entries: 0, exits: 0, refusals: {}, fevers: 0 });
  const passages = db
    .prepare('SELECT gate, verdict, direction, count(*) AS n FROM passages WHERE at >= ? AND at < ? GROUP BY gate, verdict, direction')
    .all(from, to) as Array<{ gate: string; verdict: 'grant' | 'deny' | 'refer'; direction: 'in' | 'out'; n: number }>;
  for (const p of passages) {
    const stats = row(p.gate);
    stats[p.verdict] += p.n;
    if (p.verdict === 'grant') stats[p.direction === 'in' ? 'entries' : 'exits'] += p.n;
  }
  const reasons = db
    .prepare(`SELECT p.gate, r.value AS reason, p.verdict, count(*) AS n FROM passages p, json_each(p.reasons) r WHERE p.at >= ? AND p.at < ? GROUP BY 1, 2, 3`)
    .all(from, to) as Array<{ gate: string; reason: string; verdict: string; n: number }>;
  for (const r of reasons) {
    const stats = row(r.gate);
    if (r.verdict !== 'grant') stats.refusals[r.reason] = (stats.refusals[r.reason] ?? 0) + r.n;
  }
  const fevers = db
    .prepare(`SELECT gate, count(*) AS n FROM passages p WHERE at >= ? AND at < ? AND EXISTS (SELECT 1 FROM json_each(p.reasons) WHERE value IN (${FEVER_REASONS.map(() => '?').join(',')})) GROUP BY gate`)
    .all(from, to, ...FEVER_REASONS) as Array<{ gate: string; n: number }>;
  for (const f of fevers) row(f.gate).fevers = f.n;
  const alerts = db.prepare("SELECT coalesce(gate, 'estate') AS gate, count(*) AS n FROM alerts WHERE at >= ? AND at < ? GROUP BY 1").all(from, to) as Array<{ gate: string; n: number }>;
  for (const a of alerts) row(a.gate).alerts = a.n;
  return gates;
}

/** Keeps the report: one row per gate per interval, replaced if the interval is counted again. */
export function storeStats(db: Db, from: number, to: number, gates: Record<string, GateStats>): void {
  const insert = db.prepare(`INSERT OR REPLACE INTO stats (gate, period_start, period_end, entries, exits, refusals, fevers, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const [gate, stats] of Object.entries(gates)) insert.run(gate, from, to, stats.entries, stats.exits, JSON.stringify(stats.refusals), stats.fevers, JSON.stringify(stats));
}
