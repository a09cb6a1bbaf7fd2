import type { IPublishPacket } from 'mqtt';
import type { Payload } from '../store/report-chain-format.js';
import type { EstateTracker } from './estate-tracker.js';
import type { ReceiverContext } from './receiver-context.js';
import type { Range } from './verify-stream.js';

/**
 * Handles one message of the receiver's session (mqtt-session.ts acknowledges
 * it once this resolves): routed to its estate by topic, then a status, a
 * checkpoint, a resend reply or a chained report. Messages of no registered
 * estate are counted and dropped.
 */
export function messageHandler(ctx: ReceiverContext): (packet: IPublishPacket) => Promise<void> {
  return (packet) =>
    ctx.serial(async () => {
      const routed = ctx.routes.route(packet.topic);
      if (!routed) return void ctx.metrics.messages.inc({ outcome: 'unregistered' });
      const { target: tracker, suffix } = routed;
      const raw = packet.payload.toString('utf8');
      const payload = parseObject(raw);
      const now = Date.now();
      if (!payload) {
        ctx.metrics.messages.inc({ outcome: 'unparseable' });
        return tracker.flag('unparseable', null, packet.topic, now);
      }
      if (suffix === 'status') return void tracker.status(payload);
      if (suffix === 'checkpoint') {
        ctx.metrics.messages.inc({ outcome: (await tracker.checkpoint(payload, now)) ? 'checkpoint' : 'rejected' });
        return settle(ctx, tracker);
      }
      if (suffix.startsWith('cmd/resend/reply')) return resendReply(ctx, tracker, payload);
      await chainedReport(ctx, tracker, { payload, raw, topic: packet.topic, suffix, now });
    });
}

async function chainedReport(ctx: ReceiverContext, tracker: EstateTracker, message: { payload: Payload; raw: string; topic: string; suffix: string; now: number }): Promise<void> {
  const { payload, suffix } = message;
  const { verify } = ctx.config;
  const backfilled = typeof payload.seq === 'number' && ctx.scheduler.requested(tracker.state.estate, payload.seq);
  const outcome = await tracker.receive(payload, message.raw, message.topic, message.now, backfilled, { maxPending: verify.maxPending, lateAfterMs: verify.lateAfterS * 1000 });
  ctx.metrics.messages.inc({ outcome });
  // A report a checkpoint already waits for (or a gap record) can move the head now; anything else waits for the tick.
  const covered = tracker.state.checkpoint?.seq ?? 0;
  if (outcome === 'held' && ((typeof payload.seq === 'number' && payload.seq <= covered) || suffix === 'gap')) await settle(ctx, tracker);
}

/** Verifies and stores what the estate's held reports allow, and tells the scheduler what it still lacks. */
export async function settle(ctx: ReceiverContext, tracker: EstateTracker): Promise<void> {
  const { stored, wanted } = await tracker.settle(Date.now(), ctx.config.verify.lateAfterS * 1000);
  if (stored.length > 0) ctx.metrics.reports.inc({ estate: tracker.state.estate }, stored.length);
  ctx.scheduler.want(tracker.state.estate, wanted, Date.now());
}

/** The gateway's answer to our cmd/resend: what it no longer keeps is not asked for again. */
async function resendReply(ctx: ReceiverContext, tracker: EstateTracker, reply: Payload): Promise<void> {
  if (typeof reply.id !== 'string' || !reply.id.startsWith(`${ctx.clientId}-resend-`)) return;
  if (reply.ok !== true) return tracker.flag('resend-refused', null, JSON.stringify(reply.error ?? null), Date.now());
  const data = reply.data as { missing?: Array<Range & { reason: string }> } | undefined;
  for (const gone of data?.missing ?? []) {
    ctx.scheduler.abandon(tracker.state.estate, gone);
    await tracker.flag(gone.reason === 'purged' ? 'unrecoverable' : 'not-assigned', gone.from, `${gone.from}–${gone.to}: ${gone.reason}`, Date.now());
  }
}

function parseObject(raw: string): Payload | undefined {
  try {
    const payload = JSON.parse(raw) as unknown;
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Payload) : undefined;
  } catch {
    return undefined;
  }
}
