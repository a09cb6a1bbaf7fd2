import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { EstateLayout } from '../estate/layout-schema.js';
import type { HttpConfig } from './config-schema.js';
import type { PassageRecord } from '../core/lane-types.js';
import type { AnyDevice } from '../drivers/device.js';
import type { EventBus } from '../event-bus.js';
import { TokenRegistry } from './api-tokens.js';
import type { HttpDeps } from './deps.js';
import { LiveFeed } from './live-feed.js';
import { GatewayMetrics, type OutboxStats } from './metrics.js';
import { AlertQueries } from './queries/alerts.js';
import { laneView, modeView, passageView, placements } from './views.js';
import { Code } from '../errors.js';

export interface RunningHttp {
  /** `http://host:port` of the plain listener, or the HTTPS URL when plain HTTP is off. */
  url: string;
  /** `https://host:port` when `http.tls.enabled`, with the certificate's SHA-256 fingerprint. */
  httpsUrl?: string;
  fingerprint256?: string;
  stop(): Promise<void>;
}

type ServeDeps = Omit<HttpDeps, 'tokens' | 'rateLimit' | 'metrics' | 'feed' | 'gates' | 'outboxStats'>;

/**
 * The guard-room side of the gateway. Made before the lanes, so their
 * passages feed the metrics from the first scan; it listens once MQTT is up
 * (`listen`) and then also streams passages, alerts and device changes to
 * the pages. It listens on the event bus inside the lanes' record path, so its
 * listeners never block it.
 */
export class GuardRoom {
  readonly metrics: GatewayMetrics;
  readonly feed: LiveFeed;
  private readonly log: Logger;
  private live: { deps: ServeDeps; alerts: AlertQueries; lastAlert: number; gateNames: Map<string, string> } | undefined;
  private alertScan: NodeJS.Immediate | undefined;

  constructor(
    private readonly config: EstateLayout & { readonly http: HttpConfig; readonly secrets: { readonly path: string } },
    devices: Iterable<AnyDevice>,
    private readonly outboxStats: () => OutboxStats,
    events: EventBus,
    log: Logger,
    /** Plain-text tokens are never here: hashes from the config and the secrets file. */
    private readonly tokenHashes: HttpConfig['tokens'],
  ) {
    this.log = log.child({ module: 'http' });
    this.metrics = new GatewayMetrics(devices, outboxStats, () => events.failures);
    this.feed = new LiveFeed(log);
    events.on('passage-recorded', ({ passage, sinceScanMs }) => this.onPassage(passage, sinceScanMs));
    events.on('journal-enqueued', ({ alerts }) => {
      if (alerts) this.onJournal();
    });
    events.on('mode-changed', () => this.onModeChange());
  }

  private onPassage(passage: PassageRecord, sinceScanMs: number | null): void {
    this.guard('passage', () => {
      this.metrics.observePassage(passage, sinceScanMs);
      this.feed.publish('passage', passageView(passage));
      this.publishLane(`${passage.gate}/${passage.lane}`);
    });
  }

  /** Alerts were written; looked up once per burst, after the write's call stack. */
  private onJournal(): void {
    if (!this.live || this.alertScan) return;
    this.alertScan = setImmediate(() => {
      this.alertScan = undefined;
      this.guard('alerts', () => this.publishAlerts());
    });
  }

  /** The mode changed (a command over HTTP or MQTT, an expiry). */
  private onModeChange(): void {
    this.guard('mode', () => {
      if (!this.live) return;
      this.feed.publish('mode', modeView(this.live.deps.estate, [...this.live.gateNames.keys()]));
      for (const id of this.live.deps.lanes.keys()) this.publishLane(id);
    });
  }

  async listen(deps: ServeDeps): Promise<RunningHttp> {
    // Loaded here, so a gateway with http.enabled false never loads fastify, its plugins and the routes (about 10 MB, issue 14).
    const [{ buildHttpApp }, { checkListeners, listenAll }, { tlsMaterial }] = await Promise.all([import('./app.js'), import('./tls-listeners.js'), import('./tls.js')]);
    const { tokens, rateLimit } = this.config.http;
    checkListeners(this.config.http, this.log);
    // The generated certificate's key is a secret: it goes beside the secrets file.
    const tls = this.config.http.tls.enabled ? await tlsMaterial(this.config.http.tls, dirname(this.config.secrets.path), new Date(deps.clock.now()), this.log) : undefined;
    const alerts = new AlertQueries(deps.db, deps.reader);
    this.live = { deps, alerts, lastAlert: alerts.lastRowId(), gateNames: new Map(this.config.gates.map((gate) => [gate.id, gate.name])) };
    const registry = new TokenRegistry([...tokens, ...this.tokenHashes]);
    if (registry.size === 0) this.log.warn('no API tokens configured: every API call will be refused (add http.tokens)');
    const where = placements(deps.lanes.values());
    for (const device of deps.devices.values()) {
      device.onStatus(() =>
        this.guard('device', () => {
          const placed = where.get(device.id);
          if (placed) this.publishLane(`${placed.gate}/${placed.lane}`);
        }),
      );
    }
    const app = await buildHttpApp({ ...deps, gates: this.config.gates, estateInfo: this.config.estate, tokens: registry, rateLimit, metrics: this.metrics, feed: this.feed, outboxStats: this.outboxStats }, tls);
    const { close, ...listening } = await listenAll(app, this.config.http, tls, this.log);
    this.log.info({ url: listening.url }, 'guard-room page and API listening');
    return {
      ...listening,
      stop: async () => {
        clearImmediate(this.alertScan);
        this.live = undefined;
        await close();
      },
    };
  }

  private publishLane(id: string): void {
    const lane = this.live?.deps.lanes.get(id);
    if (!this.live || !lane) return;
    const snapshot = lane.snapshot();
    this.feed.publish('lane', laneView(snapshot, this.live.gateNames.get(snapshot.gate) ?? snapshot.gate, this.live.deps.estate));
  }

  private publishAlerts(): void {
    if (!this.live) return;
    for (;;) {
      const batch = this.live.alerts.since(this.live.lastAlert);
      for (const { rowid, alert } of batch) {
        this.live.lastAlert = rowid;
        this.feed.publish('alert', alert);
      }
      if (batch.length < 100) return;
    }
  }

  private guard(what: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.log.error({ err: (error as Error).message, code: Code.GW_HTTP_INTERNAL, what }, 'live feed update failed');
    }
  }
}
