import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { openDatabase, type Db } from '../../src/store/database.js';
import { subjectHasher } from '../../src/store/subject-hash.js';
import { TraceQueries } from '../../src/store/trace.js';
import { silent } from './fixtures.js';
import { seededRandom } from '../../src/demo/random.js';
import { elapsedMs, summarize } from './stats.js';
import type { Bench } from './types.js';

const DAY = 86_400_000;
const SUBJECTS = 20_000;
const GATES = ['north', 'south', 'east', 'west'];
const DAYS = 365;
const START = Date.parse('2025-11-01T00:00:00Z');

/**
 * Trail plus contacts for one subject over a 14-day range, ±5 minutes, on a
 * database of 10 million passages (a year of a 20,000-person estate with four
 * gates). The database is built once into bench/cache and reused.
 */
export const traceQuery: Bench = async ({ scale, log }) => {
  const rows = Math.round(10_000_000 * scale);
  // Named for the person-keyed rows: a cache built with card-kind hashes would match no query.
  const path = `bench/cache/trace-person-${rows}.db`;
  if (!existsSync(path)) build(path, rows, log);
  const db = openDatabase({ path, synchronous: 'normal', log: silent });
  const queries = new TraceQueries(db);
  const hash = subjectHasher(Buffer.alloc(32, 5));
  const random = seededRandom(99);
  const samples: number[] = [];
  let trailSize = 0;
  let contactCount = 0;
  for (let i = 0; i < 200; i += 1) {
    const subjectHash = hash({ kind: 'health-pass', id: `s-${Math.floor(random() * SUBJECTS)}` });
    const to = START + Math.floor(30 + random() * (DAYS - 30)) * DAY;
    const range = { hashes: [subjectHash], from: to - 14 * DAY, to };
    const started = process.hrtime.bigint();
    const trail = queries.trail(range);
    const contacts = queries.contacts(range, 5 * 60_000);
    samples.push(elapsedMs(started));
    trailSize += trail.length;
    contactCount += contacts.length;
  }
  db.close();
  const s = summarize(samples);
  log(`trace over ${rows} passages: p50 ${s.p50} ms p99 ${s.p99} ms`);
  return {
    name: 'trace-query',
    title: `Trace query (trail + contacts) over ${(rows / 1e6).toFixed(1)} million passages`,
    command: 'npm run bench -- --only trace-query',
    figures: {
      'passages in the database': rows,
      'queries (random subjects, 14-day range, ±5 min)': s.n,
      'trail + contacts p50 (ms)': s.p50,
      'trail + contacts p99 (ms)': s.p99,
      'max (ms)': s.max,
      'mean trail length (passages)': Math.round(trailSize / s.n),
      'mean contacts found': Math.round(contactCount / s.n),
      'target p99 (ms)': 100,
    },
    notes: [`Data set: ${SUBJECTS} subjects, ${GATES.length} gates, ${DAYS} days, passages between 06:00 and 23:00, seeded.`],
  };
};

function build(path: string, rows: number, log: (line: string) => void): void {
  mkdirSync('bench/cache', { recursive: true });
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  const db: Db = openDatabase({ path: partial, synchronous: 'normal', log: silent });
  const started = process.hrtime.bigint();
  // Indexes are built after the bulk load: several times faster than maintaining them per row.
  db.exec('DROP INDEX passages_at; DROP INDEX passages_subject_at; DROP INDEX passages_gate_at;');
  const hash = subjectHasher(Buffer.alloc(32, 5));
  // Each resident's passages keyed by the person (their health-code subject), as the journal writes them.
  const subjects = Array.from({ length: SUBJECTS }, (_, i) => hash({ kind: 'health-pass', id: `s-${i}` }));
  const insert = db.prepare(`INSERT INTO passages (id, at, gate, lane, direction, kind, credential, subject_hash, verdict, reasons, rule, policy_version, temperature_c, readings, mode, outcome, settled_at)
    VALUES (?, ?, ?, 'p1', ?, 'pedestrian', 'card', ?, 'grant', '["CARD_VALID","CODE_GREEN","TEMP_NORMAL"]', 'card-roster', 'bench', 36.5, '[36.5]', 'normal', 'passed', ?)`);
  const random = seededRandom(7);
  const batch = 200_000;
  for (let done = 0; done < rows; done += batch) {
    db.transaction(() => {
      for (let i = done; i < Math.min(rows, done + batch); i += 1) {
        const day = Math.floor(random() * DAYS);
        const at = START + day * DAY + 6 * 3_600_000 + Math.floor(random() * 17 * 3_600_000);
        insert.run(`t${i}`, at, GATES[i % GATES.length], i % 2 ? 'in' : 'out', subjects[Math.floor(random() * SUBJECTS)], at + 2000);
      }
    })();
    log(`built ${Math.min(rows, done + batch)} / ${rows} rows (${Math.round(elapsedMs(started) / 1000)} s)`);
  }
  db.exec('CREATE INDEX passages_at ON passages (at); CREATE INDEX passages_subject_at ON passages (subject_hash, at); CREATE INDEX passages_gate_at ON passages (gate, at); ANALYZE;');
  db.close();
  renameSync(partial, path);
  rmSync(`${partial}-wal`, { force: true });
  rmSync(`${partial}-shm`, { force: true });
  log(`database built in ${Math.round(elapsedMs(started) / 1000)} s`);
}
