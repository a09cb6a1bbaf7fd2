import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../event-bus.js';
import type { Topics } from '../contract/topics.js';
import type { Secrets } from '../secrets.js';
import type { Db } from '../store/database.js';
import type { Journal } from '../store/journal.js';
import type { ReportSigner } from '../store/report-chain-format.js';
import type { StoreAccess } from '../store/outbox.js';
import type { StopStack } from './stop-stack.js';

/** What every step of the gateway's start reads, and where it leaves what must be stopped. */
export interface StartContext {
  config: Readonly<Config>;
  secrets: Secrets;
  clock: Clock;
  log: Logger;
  stops: StopStack;
}

/** The database and what writes to it, and the bus its writes are announced on. */
export interface GatewayStore {
  /** The writer thread's connection (store/writer-db.ts): synchronous writes, and reads that must see them. */
  db: Db;
  /** Runs pragmas on the writer thread without the event loop waiting (WriterThread.pragmas). */
  pragmas: (sources: readonly string[]) => Promise<void>;
  /** The read-only connection beside it, and the writer thread that commits units: what repositories are built on. */
  access: Required<StoreAccess>;
  journal: Journal;
  events: EventBus;
  topics: Topics;
  /** The gateway key's signer (reports, checkpoints); absent without `secrets.gatewayKey`. */
  signer: ReportSigner | undefined;
}
