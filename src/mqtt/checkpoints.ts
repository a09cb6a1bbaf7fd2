import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Journal } from '../store/journal.js';
import type { ReportSigner } from '../store/report-chain-format.js';
import { MessagePriority, type OutgoingMessage } from '../contract/messages.js';
import { PAYLOAD_VERSION } from '../contract/payload-version.js';
import type { CheckpointMessage } from '../contract/report-payloads.js';
import type { Topics } from '../contract/topics.js';
import { Code } from '../errors.js';

/** The signed head of the report chain at `at`: what the district compares its own chain against. */
function checkpointMessage(topics: Topics, journal: Journal, signer: ReportSigner, at: number): OutgoingMessage {
  const head = journal.chain.head();
  const unsigned = { id: randomUUID(), ts: new Date(at).toISOString(), v: PAYLOAD_VERSION as typeof PAYLOAD_VERSION, seq: head.seq, hash: head.hash, kid: signer.kid };
  const payload: CheckpointMessage = { ...unsigned, sig: signer.sign(unsigned) };
  return { topic: topics.checkpoint, payload: JSON.stringify(payload), qos: 1, retain: true, priority: MessagePriority.Alert };
}

/**
 * Queues a signed checkpoint (retained `…/checkpoint`) now and every
 * `everyS` seconds (mqtt.checkpointEveryS). It goes through the outbox behind
 * the reports it covers, so a subscriber gets them first; it is outside the
 * chain, and a newer checkpoint replaces one still queued.
 */
export function startCheckpoints(options: { journal: Journal; signer: ReportSigner; topics: Topics; clock: Clock; log: Logger; everyS: number }): { stop(): void } {
  const { journal, signer, topics, clock } = options;
  const log = options.log.child({ module: 'checkpoint' });
  const queue = () => {
    try {
      journal.outbox.replace(checkpointMessage(topics, journal, signer, clock.now()), clock.now());
      journal.announceEnqueued();
    } catch (error) {
      log.error({ err: (error as Error).message, code: Code.GW_STORAGE }, 'cannot queue the checkpoint');
    }
  };
  queue();
  const timer = setInterval(queue, options.everyS * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
