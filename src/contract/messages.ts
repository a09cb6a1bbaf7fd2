import { randomUUID } from 'node:crypto';
import type { AlertDraft } from '../core/alerts.js';
import type { PassageRecord } from '../core/lane-types.js';
import { PAYLOAD_VERSION } from './payload-version.js';
import type { AlertMessage, AuditMessage, GapMessage, PassageMessage } from './report-payloads.js';
import type { TopologyBody, TopologyMessage } from './state-payloads.js';
import type { Topics } from './topics.js';

/** A message bound for the broker: what the outbox stores. */
export interface OutgoingMessage {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  /** Under pressure the outbox sheds lower priorities first; alerts are never shed. */
  priority: MessagePriority;
}

export enum MessagePriority {
  Passage = 1,
  Audit = 4,
  Stats = 5,
  /** Alerts, gap records and checkpoints: never shed. */
  Alert = 9,
}

/** Chain fields, assigned when the message is queued (src/store/report-chain.ts). */
type Unstamped<T> = Omit<T, 'seq' | 'prev' | 'hash' | 'kid' | 'sig'>;

export function passageMessage(topics: Topics, passage: PassageRecord, subjectHash: string | null): OutgoingMessage {
  const payload: Unstamped<PassageMessage> = {
    id: passage.id,
    ts: new Date(passage.at).toISOString(),
    v: PAYLOAD_VERSION,
    gate: passage.gate,
    lane: passage.lane,
    direction: passage.direction,
    kind: passage.kind,
    verdict: passage.decision.verdict,
    reasons: passage.decision.reasons,
    rule: passage.decision.rule,
    policyVersion: passage.decision.policyVersion,
    credential: passage.credential,
    subject: subjectHash,
    temperatureC: passage.temperatureC,
    mode: passage.mode,
    ...(passage.drill ? { drill: true } : {}),
  };
  return { topic: topics.passage(passage.gate, passage.lane), payload: JSON.stringify(payload), qos: 1, retain: false, priority: MessagePriority.Passage };
}

export function alertMessage(topics: Topics, id: string, alert: AlertDraft, subjectHash: string | null): OutgoingMessage {
  const payload: Unstamped<AlertMessage> = {
    id,
    ts: new Date(alert.at).toISOString(),
    v: PAYLOAD_VERSION,
    type: alert.type,
    severity: alert.severity,
    gate: alert.gate ?? null,
    lane: alert.lane ?? null,
    passageId: alert.passageId ?? null,
    subject: subjectHash,
    reasons: alert.reasons,
    details: { ...alert.details },
  };
  return { topic: topics.alert(alert.type), payload: JSON.stringify(payload), qos: 1, retain: false, priority: MessagePriority.Alert };
}

/** The retained `…/topology`; published straight to the broker on every connect, like the other retained state. */
export function topologyMessage(topics: Topics, id: string, at: number, body: TopologyBody): OutgoingMessage {
  const payload: TopologyMessage = { id, ts: new Date(at).toISOString(), v: PAYLOAD_VERSION, ...body };
  return { topic: topics.topology, payload: JSON.stringify(payload), qos: 1, retain: true, priority: MessagePriority.Stats };
}

/** The record of reports shed from a full outbox: which sequence numbers, from which queue, and why (signed when queued). */
export function gapMessage(topics: Topics, at: number, gap: { outbox: GapMessage['outbox']; ranges: GapMessage['ranges']; count: number }): OutgoingMessage {
  const payload: Unstamped<GapMessage> = { id: randomUUID(), ts: new Date(at).toISOString(), v: PAYLOAD_VERSION, reason: 'outbox-full', ...gap };
  return { topic: topics.gap, payload: JSON.stringify(payload), qos: 1, retain: false, priority: MessagePriority.Alert };
}

export function auditMessage(topics: Topics, summary: Omit<Unstamped<AuditMessage>, 'id' | 'v'>): OutgoingMessage {
  const payload: Unstamped<AuditMessage> = { id: randomUUID(), v: PAYLOAD_VERSION, ...summary };
  return { topic: topics.audit, payload: JSON.stringify(payload), qos: 1, retain: false, priority: MessagePriority.Audit };
}
