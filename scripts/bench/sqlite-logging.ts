import { rmSync } from 'node:fs';
import { benchJournal, syntheticPassage } from './fixtures.js';
import { elapsedMs, summarize } from './stats.js';
import type { Bench } from './types.js';

/**
 * Passage logging as the lanes do it: one transaction per decision (passage
 * row + outbox message), sequential, on a real file. FULL fsyncs every
 * commit; NORMAL in WAL mode syncs only at checkpoints.
 */
export const sqliteLogging: Bench = async ({ scale, log }) => {
  const n = Math.max(200, Math.round(4000 * scale));
  const figures: Record<string, number | string> = {};
  for (const mode of ['full', 'normal'] as const) {
    const { db, journal, dir } = benchJournal(mode);
    const samples: number[] = [];
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) {
      const t = process.hrtime.bigint();
      await journal.recordPassage(syntheticPassage(i, Date.now()), []);
      samples.push(elapsedMs(t));
    }
    const rate = Math.round(n / (elapsedMs(started) / 1000));
    const s = summarize(samples);
    log(`sqlite ${mode}: ${rate}/s p50 ${s.p50} ms p99 ${s.p99} ms`);
    figures[`synchronous=${mode.toUpperCase()}: passages/s (one transaction each)`] = rate;
    figures[`synchronous=${mode.toUpperCase()}: write p50 / p99 / max (ms)`] = `${s.p50} / ${s.p99} / ${s.max}`;
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    name: 'sqlite-logging',
    title: 'SQLite passage logging',
    command: 'npm run bench -- --only sqlite-logging',
    figures: { ...figures, 'passages per run': n },
    notes: [
      'FULL: each decision is on disk before its barrier opens; survives power loss.',
      'NORMAL (WAL): survives a crash of the process; a power cut may lose the last transactions since the last checkpoint.',
      'No group commit: each decision commits alone, because the barrier waits for its own record.',
    ],
  };
};
