import type { Logger } from 'pino';
import type { AlertDraft } from '../core/alerts.js';
import type { PassageRecord } from '../core/lane-types.js';
import type { EventBus } from '../event-bus.js';

const PASSAGE_LOG_MESSAGE = { grant: 'passage granted', deny: 'passage denied', refer: 'passage referred to the guard' } as const;

/** Logs a recorded passage and tells the listeners; the lane runs it once the barrier's command is on its way. */
export type Announce = () => void;

/** Scan → recorded, and its two halves: deciding (Ed25519 and the rules) and committing. */
export interface PassageTiming {
  sinceScanMs: number;
  decideMs?: number;
  commitMs?: number;
}

/** One log line per passage, at warn unless granted, then the 'passage-recorded' event. */
export function announcePassage(log: Logger, events: EventBus, passage: PassageRecord, alerts: readonly AlertDraft[], timing: PassageTiming | undefined): void {
  const { decision } = passage;
  const fields = {
    passage: passage.id,
    direction: passage.direction,
    credential: passage.credential,
    verdict: decision.verdict,
    reasons: decision.reasons,
    temperatureC: passage.temperatureC,
    alerts: alerts.map((a) => a.type),
    ...timing,
  };
  if (decision.verdict === 'grant') log.info(fields, PASSAGE_LOG_MESSAGE.grant);
  else log.warn(fields, PASSAGE_LOG_MESSAGE[decision.verdict]);
  // Isolated listeners: whatever they do, the lane goes on.
  events.emit('passage-recorded', { passage, sinceScanMs: timing?.sinceScanMs ?? null });
}
