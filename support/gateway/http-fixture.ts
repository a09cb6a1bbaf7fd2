import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { CommandReply, CommandRequest, CommandService } from '../../src/commands/types.js';
import { generateApiToken, hashApiToken, TokenRegistry } from '../../src/http/api-tokens.js';
import { buildHttpApp } from '../../src/http/app.js';
import type { ApiRole } from '../../src/core/roles.js';
import { LiveFeed } from '../../src/http/live-feed.js';
import { GatewayMetrics } from '../../src/http/metrics.js';
import { startHarness, type Harness } from './gateway-harness.js';

/** A hand-written CommandService: records every request and answers with `reply` (ok by default). */
export class RecordingCommands implements CommandService {
  readonly requests: CommandRequest[] = [];
  reply: (request: CommandRequest) => CommandReply = (request) => ({ id: request.id, ok: true, data: request.name === 'open' ? { passageId: 'p-1' } : request.name === 'visitor' ? { code: 'VP1:e30.AAAAAAAAAAAAAAAAAAAAAA' } : {} });

  async execute(request: CommandRequest): Promise<CommandReply> {
    this.requests.push(request);
    return this.reply(request);
  }

  acceptedReply(): undefined {
    return undefined;
  }

  readonly refused: Array<{ request: CommandRequest; error: { code: string; message: string } }> = [];

  auditRefused(request: CommandRequest, error: { code: string; message: string }): void {
    this.refused.push({ request, error });
  }
}

export interface HttpFixture {
  harness: Harness;
  app: FastifyInstance;
  commands: RecordingCommands;
  feed: LiveFeed;
  /** Plain token per role, plus one the gateway never issued. */
  tokens: Record<ApiRole | 'unknown', string>;
  auth(role: ApiRole | 'unknown'): { authorization: string };
  stop(): Promise<void>;
}

/**
 * A whole gateway on virtual devices with the HTTP app built from its parts, for `inject()`.
 * Commands go to RecordingCommands, or with `gatewayCommands` to the gateway's own service (the fuzz run).
 */
export async function startHttpFixture(options: { rateLimit?: { max: number; windowMs: number }; gatewayCommands?: boolean } = {}): Promise<HttpFixture> {
  const harness = await startHarness();
  const { gateway } = harness;
  const tokens = { guard: generateApiToken(), manager: generateApiToken(), approver: generateApiToken(), auditor: generateApiToken(), unknown: generateApiToken() };
  const registry = new TokenRegistry((['guard', 'manager', 'approver', 'auditor'] as const).map((role) => ({ name: `test-${role}`, role, hash: hashApiToken(tokens[role]) })));
  const commands = new RecordingCommands();
  const log = pino({ level: 'silent' });
  const feed = new LiveFeed(log);
  const outboxStats = () => gateway.journal.outbox.stats(Date.now());
  const app = await buildHttpApp({
    gates: gateway.config.gates,
    db: gateway.db,
    estate: gateway.estate,
    lanes: gateway.lanes,
    devices: gateway.devices,
    commands: options.gatewayCommands ? gateway.commands : commands,
    tokens: registry,
    rateLimit: options.rateLimit ?? { max: 10_000, windowMs: 60_000 },
    brokerConnected: () => gateway.mqtt.connection.client.connected,
    outboxStats,
    metrics: new GatewayMetrics(gateway.devices.values(), outboxStats, () => gateway.events.failures),
    feed,
    clock: { now: () => Date.now() },
    log,
  });
  await app.ready();
  return {
    harness,
    app,
    commands,
    feed,
    tokens,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    async stop() {
      await app.close();
      await harness.stop();
    },
  };
}
