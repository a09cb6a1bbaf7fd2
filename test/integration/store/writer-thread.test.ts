import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import { topicsFor } from '../../../src/contract/topics.js';
import { openReader, type Db } from '../../../src/store/database.js';
import { Journal } from '../../../src/store/journal.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { subjectHasher } from '../../../src/store/subject-hash.js';
import { writerDb } from '../../../src/store/writer-db.js';
import { WriterThread } from '../../../src/store/writer-thread.js';
import { reportLogFaults } from '../../../support/store/report-log-check.js';

const log = pino({ level: 'silent' });

function passage(id: string): PassageRecord {
  return {
    id,
    at: 1_800_000_000_000,
    gate: 'main',
    lane: 'in',
    direction: 'in',
    kind: 'pedestrian',
    credential: 'health-pass',
    subject: { kind: 'health-pass', id: `citizen-${id}` },
    decision: { verdict: 'grant', reasons: ['CODE_GREEN'], rule: 'health-code-colour', policyVersion: 'p1' },
    temperatureC: 36.6,
    readings: [36.6],
    mode: 'normal',
  };
}

describe('writer thread', () => {
  let dir: string;
  let writer: WriterThread;
  let db: Db;
  let reader: Db;
  let journal: Journal;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatewarden-writer-'));
    const path = join(dir, 'test.db');
    writer = WriterThread.open({ path, synchronous: 'full', log });
    db = writerDb(writer);
    reader = openReader(path);
    journal = new Journal(db, topicsFor('gatewarden/test'), subjectHasher(Buffer.alloc(32, 7)), undefined, undefined, { committer: writer, reader });
  });

  afterEach(async () => {
    reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens and migrates the database on the thread; the proxy and the reader see it', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('commits many lanes’ decisions at once, each acknowledged, with the chain in order', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => journal.recordPassage(passage(`p-${i}`), [])));
    expect(reader.prepare('SELECT count(*) AS n FROM passages').get()).toEqual({ n: 200 });
    expect(reader.prepare('SELECT count(*) AS n FROM report_log').get()).toEqual({ n: 200 });
    expect(reportLogFaults(reader)).toEqual([]);
    expect(writer.stats.batches).toBeLessThan(200);
  });

  it('sends the units asked for in one turn as one message, which commits as one batch', async () => {
    const before = writer.stats.batches;
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.recordPassage(passage(`turn-${i}`), [])));
    expect(writer.stats.batches - before).toBe(1);
    expect(reader.prepare('SELECT count(*) AS n FROM passages').get()).toEqual({ n: 50 });
  });

  it('hands the lines the thread logs to the gateway\'s logger, at their level', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const other = WriterThread.open({ path: join(dir, 'other.db'), synchronous: 'full', log: capture });
    await other.close();
    const migrated = lines.filter((line) => line.msg === 'database migrated');
    expect(migrated).toHaveLength(MIGRATIONS.length);
    expect(migrated[0]).toMatchObject({ level: 30, module: 'store-writer', version: MIGRATIONS[0]?.version });
  });

  it('commits a decision without the units nothing waits for, which wait for company and commit together shortly', async () => {
    const before = { ...writer.stats };
    // Queued in one turn, they reach the thread in one message.
    const marks = [0, 1, 2].map((i) => journal.rememberPass(`key-${i}`, 1_800_000_000_000 + i));
    await journal.recordPassage(passage('commits-alone'), []);
    // The decision's batch held the decision alone.
    expect([writer.stats.batches - before.batches, writer.stats.units - before.units]).toEqual([1, 1]);
    await Promise.all(marks);
    expect([writer.stats.batches - before.batches, writer.stats.units - before.units]).toEqual([2, 4]);
    await journal.rememberPass('alone', 1_800_000_000_100);
    expect(writer.stats.batches - before.batches).toBe(3);
    expect(reader.prepare('SELECT count(*) AS n FROM replay_window').get()).toEqual({ n: 4 });
  });

  it('closes with relaxed units still waiting, in a process with nothing else to keep it alive', () => {
    // The close commits the waiting units and their answers come back while it waits for the thread to exit:
    // they once unreffed the thread, and such a process ended with the close unsettled (the lockdown bench did).
    const script = [
      `import { WriterThread } from ${JSON.stringify(new URL('../../../src/store/writer-thread.ts', import.meta.url).href)};`,
      `import pino from 'pino';`,
      `const writer = WriterThread.open({ path: process.argv[1], synchronous: 'full', log: pino({ level: 'silent' }) });`,
      `for (let i = 0; i < 5; i += 1) {`,
      `  void writer.commit({ durable: false, steps: [{ kind: 'run', sql: 'INSERT INTO replay_window (key, at) VALUES (?, ?)', params: ['k' + i, i] }] });`,
      `  await new Promise((resolve) => setImmediate(resolve));`,
      `}`,
      `void writer.pragmas(['application_id = 3']);`,
      `await writer.close();`,
      `process.stdout.write('closed');`,
    ].join('\n');
    // Three processes: the old race lost in most runs, not every one.
    for (const attempt of [1, 2, 3]) {
      const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, join(dir, `alone-${attempt}.db`)], { encoding: 'utf8', timeout: 20_000 });
      expect(output).toBe('closed');
    }
  });

  it('refuses a decision once its file was replaced under the connection, so the lane refers instead of releasing', async () => {
    await journal.recordPassage(passage('before-swap'), []);
    const path = join(dir, 'test.db');
    copyFileSync(path, `${path}.copy`);
    renameSync(`${path}.copy`, path);
    await expect(journal.recordPassage(passage('after-swap'), [])).rejects.toMatchObject({ code: 'GW_STORAGE', message: expect.stringMatching(/replaced while open/) });
    // Units nothing waits for still commit: the swap costs the lanes their grants, not their replay marks.
    await journal.rememberPass('after-swap', 1);
  });

  it('runs pragmas after the units asked for before them, answering by message, and rejects with SQLite\'s error', async () => {
    const recorded = journal.recordPassage(passage('before-probe'), []);
    await writer.pragmas(['application_id = 7', 'wal_checkpoint(PASSIVE)']);
    expect(reader.prepare('SELECT count(*) AS n FROM passages').get()).toEqual({ n: 1 });
    expect(db.pragma('application_id', { simple: true })).toBe(7);
    await recorded;
    db.pragma('query_only = ON');
    await expect(writer.pragmas(['application_id = 8'])).rejects.toThrow(/readonly/);
    db.pragma('query_only = OFF');
    expect(db.pragma('application_id', { simple: true })).toBe(7);
  });

  it('rejects only the decision that fails in a batch; the others commit', async () => {
    await journal.recordPassage(passage('p-dup'), []);
    const results = await Promise.allSettled([journal.recordPassage(passage('p-a'), []), journal.recordPassage(passage('p-dup'), []), journal.recordPassage(passage('p-b'), [])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: expect.stringMatching(/UNIQUE/), code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect((reader.prepare('SELECT id FROM passages ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id)).toEqual(['p-a', 'p-b', 'p-dup']);
    expect(reportLogFaults(reader)).toEqual([]);
  });

  it('runs a synchronous transaction on the same connection, after the decisions queued before it', () => {
    const pending = journal.recordPassage(passage('p-1'), []);
    const insert = db.prepare('INSERT INTO link_state (link, down_since) VALUES (?, ?)');
    db.transaction(() => insert.run('a', 1))();
    expect(() =>
      db.transaction(() => {
        insert.run('b', 2);
        throw new Error('command refused');
      })(),
    ).toThrow('command refused');
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT link FROM link_state ORDER BY link').pluck().all()).toEqual(['a']);
    expect(db.prepare('SELECT count(*) FROM passages').pluck().get()).toBe(1);
    return pending;
  });

  it('reports a database it cannot open as a storage error', () => {
    expect(() => WriterThread.open({ path: join(dir, 'missing', 'deeper', '\0bad'), synchronous: 'full', log })).toThrow();
  });
});
