import type { MessagePort } from 'node:worker_threads';
import type { WriteUnit } from './write-unit.js';

/** A call on the writer connection that the caller waits for (writer-db.ts, and the synchronous commit path). */
export type SyncOp =
  | { op: 'run' | 'get' | 'all'; sql: string; params: unknown[]; pluck: boolean }
  | { op: 'exec'; sql: string }
  | { op: 'pragma'; source: string; simple: boolean }
  | { op: 'unit'; unit: WriteUnit }
  | { op: 'close' };

/** Units asked for in one turn of the event loop travel together: one message, one structured clone. */
export type ToWriter =
  | { kind: 'sync'; seq: number; op: SyncOp }
  | { kind: 'units'; units: Array<{ id: number; unit: WriteUnit }> }
  /** Pragmas run in order outside any batch, answered by a `done` message: the event loop does not wait for them. */
  | { kind: 'pragmas'; id: number; sources: string[] };

export interface WireError {
  message: string;
  code?: string;
}

/** Posted on the reply port, then signalled by storing `seq` in the shared word. */
export interface SyncReply {
  seq: number;
  value?: unknown;
  error?: WireError;
  /** Whether the writer connection is inside a transaction after this call. */
  inTransaction: boolean;
}

/** A line the writer logs, as the gateway's logger takes it (writer-thread.ts). */
export interface WriterLogLine {
  kind: 'log';
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

export type FromWriter = { kind: 'committed'; results: Array<{ id: number; error?: WireError }> } | { kind: 'done'; id: number; error?: WireError } | WriterLogLine;

export interface WriterData {
  path: string;
  synchronous: 'full' | 'normal';
  /** An Int32Array's buffer: slot 0 holds the seq of the last answered call. */
  signal: SharedArrayBuffer;
  replies: MessagePort;
}

/** The seq the writer answers once the database is open and migrated (or not). */
export const READY_SEQ = 1;

export function toWire(error: unknown): WireError {
  const { message, code } = error as Error & { code?: unknown };
  return typeof code === 'string' ? { message, code } : { message: String(message) };
}

/** The error as the caller would have seen it from better-sqlite3: same message and code. */
export function fromWire(wire: WireError): Error {
  return Object.assign(new Error(wire.message), wire.code === undefined ? {} : { code: wire.code });
}
