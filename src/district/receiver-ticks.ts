import { randomUUID } from 'node:crypto';
import { signCommand } from '../contract/signature.js';
import { settle } from './message-handler.js';
import type { Session } from './mqtt-session.js';
import type { ReceiverContext } from './receiver-context.js';

const TICK_MS = 500;

/**
 * Every TICK_MS, after the messages before it: settles the estates that
 * changed or lack something, flags the silent ones, and, while connected,
 * sends the cmd/resend requests the scheduler says are due. Returns the stop.
 */
export function startTicks(ctx: ReceiverContext, session: Session, signingKey: { kid: string; privateKey: string }): () => void {
  const tick = () =>
    ctx
      .serial(async () => {
        for (const tracker of ctx.trackers.values()) if (tracker.dirty || tracker.state.missing.length > 0) await settle(ctx, tracker);
        await checkSilence(ctx, Date.now());
        if (session.connected()) sendResends(ctx, session, signingKey);
      })
      .catch((error: Error) => ctx.log.error({ err: error.message, code: 'GW_STORAGE' }, 'district tick failed'));
  const timer = setInterval(tick, TICK_MS);
  return () => clearInterval(timer);
}

function sendResends(ctx: ReceiverContext, session: Session, signingKey: { kid: string; privateKey: string }): void {
  const { resend, broker } = ctx.config;
  const gaveUp = (estate: string, range: { from: number; to: number }) =>
    void ctx.note({ estate, kind: 'unfilled', seq: range.from, detail: `${range.from}–${range.to} asked for ${resend.maxAttempts} times in vain`, at: Date.now() });
  for (const request of ctx.scheduler.due(Date.now(), gaveUp)) {
    const prefix = ctx.trackers.get(request.estate)?.prefix as string;
    const body = signCommand({ id: `${ctx.clientId}-resend-${randomUUID()}`, v: 1, estate: request.estate, fromSeq: request.fromSeq, toSeq: request.toSeq }, signingKey);
    const responseTopic = `${prefix}/cmd/resend/reply/${ctx.clientId}`;
    ctx.metrics.resends.inc({ estate: request.estate });
    ctx.log.info({ estate: request.estate, fromSeq: request.fromSeq, toSeq: request.toSeq, attempt: request.attempt }, 'asking for a resend');
    session.client.publish(`${prefix}/cmd/resend`, JSON.stringify(body), { qos: 1, ...(broker.protocolVersion === 5 ? { properties: { responseTopic } } : {}) });
  }
}

async function checkSilence(ctx: ReceiverContext, now: number): Promise<void> {
  const silentAfterMs = ctx.config.verify.silentAfterMin * 60_000;
  for (const tracker of ctx.trackers.values()) {
    const { estate, lastSignAt } = tracker.state;
    const quiet = lastSignAt === null ? false : now - lastSignAt > silentAfterMs;
    if (quiet && !ctx.silent.has(estate)) await tracker.flag('silent', null, `nothing signed (checkpoint, gap record, verified report) since ${new Date(lastSignAt as number).toISOString()}`, now);
    if (quiet) ctx.silent.add(estate);
    else ctx.silent.delete(estate);
  }
}
