import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DistrictConfig } from './config-schema.js';
import { buildDistrictApp } from './http-api.js';
import { messageHandler } from './message-handler.js';
import { openSession, type Session } from './mqtt-session.js';
import { openReceiverContext, type ReceiverContext } from './receiver-context.js';
import { startTicks } from './receiver-ticks.js';
import { estateSummaries, openAlerts, type EstateSummary } from './receiver-views.js';
import type { ReportStore } from './report-store.js';

export interface ReceiverOptions {
  config: DistrictConfig;
  log: Logger;
  /** The MQTT password (from broker.passwordEnv / passwordFile; run.ts reads it). */
  password: string | undefined;
  /** The district's command key, registered on the gateways with role district. */
  signingKey: { kid: string; privateKey: string };
  /** postgres: the connection URL (from storage.url or storage.urlEnv). */
  postgresUrl?: string;
  httpToken?: string;
}

export interface DistrictReceiver {
  store: ReportStore;
  session: Session;
  http: { app: FastifyInstance; url: string } | undefined;
  estates(): Promise<EstateSummary[]>;
  /** Ends the MQTT session (bounded: session.stop), saves every estate's state, closes the page and the store. */
  stop(): Promise<void>;
}

/**
 * `gatewarden district`: the district's receiver. One persistent QoS 1
 * session over the cluster, subscribed with a few wildcard filters over all
 * estates (estate-routes.ts); each estate's reports verified (sequence, chain,
 * checkpoint signatures: estate-tracker.ts, verify-stream.ts), stored
 * idempotently, holes asked for with a signed cmd/resend, late reports and
 * silent estates flagged (receiver-ticks.ts); /metrics, a small API and a page.
 */
export async function startDistrictReceiver(options: ReceiverOptions): Promise<DistrictReceiver> {
  const ctx = await openReceiverContext(options.config, options.log, options.postgresUrl);
  const { config, store } = ctx;
  const session = openSession({ broker: config.broker, clientId: ctx.clientId, password: options.password, filters: ctx.routes.filters(), onMessage: messageHandler(ctx), log: options.log });
  const stopTicks = startTicks(ctx, session, options.signingKey);
  const estates = () => estateSummaries(ctx.trackers, ctx.silent, store, Date.now());
  const http = config.http.enabled ? await startHttp(ctx, session, estates, options.httpToken) : undefined;
  return {
    store,
    session,
    http,
    estates,
    async stop() {
      stopTicks();
      await session.stop();
      await ctx.serial(async () => {
        for (const tracker of ctx.trackers.values()) await store.saveEstate(tracker.state);
      });
      await http?.app.close();
      await store.close();
    },
  };
}

async function startHttp(ctx: ReceiverContext, session: Session, estates: () => Promise<EstateSummary[]>, token: string | undefined): Promise<DistrictReceiver['http']> {
  const { config, store } = ctx;
  const app = buildDistrictApp({
    districtName: config.district.name ?? config.district.id,
    estates,
    alerts: () => openAlerts(store, config.verify.openAlertsH, Date.now()),
    findings: (filter) => store.findings(filter),
    connected: () => session.connected(),
    registry: ctx.metrics.registry,
    ...(token === undefined ? {} : { token }),
  });
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  ctx.log.info({ url }, 'district page and API');
  return { app, url };
}
