import type { Logger } from 'pino';
import type { CommandService } from '../commands/types.js';
import type { Clock } from '../core/clock.js';
import type { AnyDevice } from '../drivers/device.js';
import type { EstateState } from '../estate/estate-state.js';
import type { LaneRunner } from '../lane/lane-runner.js';
import type { Db } from '../store/database.js';
import type { StorageHealth } from '../store/db-watch.js';
import type { TokenRegistry } from './api-tokens.js';
import type { HttpConfig } from './config-schema.js';
import type { LiveFeed } from './live-feed.js';
import type { GatewayMetrics, OutboxStats } from './metrics.js';

/** What the HTTP app reads and acts on; every write goes through `commands`. */
export interface HttpDeps {
  gates: ReadonlyArray<{ id: string; name: string }>;
  /** The estate's name and time zone, for the page (absent in tests that need neither). */
  estateInfo?: { id: string; name: string; timeZone: string };
  /** The writer's connection: the few writes here (an alert's acknowledgement, a lookup's audit) and reads that must see them. */
  db: Db;
  /** A read-only connection (database.ts, openReader) for lists, exports and traces, so a long read holds up no commit; absent, reads use `db`. */
  reader?: Db;
  /** What every lane reads: modes, trust list, roster, the estate registry. */
  estate: EstateState;
  lanes: ReadonlyMap<string, LaneRunner>;
  devices: ReadonlyMap<string, AnyDevice>;
  /** The command path shared with MQTT; absent, every write answers 503. */
  commands?: CommandService;
  tokens: TokenRegistry;
  rateLimit: HttpConfig['rateLimit'];
  brokerConnected(): boolean;
  /** The database watch (a real write probe, the file's identity); absent, `/readyz` only reads. */
  storage?: { check(): StorageHealth };
  outboxStats(): OutboxStats;
  metrics: GatewayMetrics;
  feed: LiveFeed;
  clock: Clock;
  log: Logger;
}

/** The connection for the app's reads. */
export function readerOf(deps: Pick<HttpDeps, 'db' | 'reader'>): Db {
  return deps.reader ?? deps.db;
}
