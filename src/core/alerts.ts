import type { ReasonCode } from './reasons.js';

/** Alert types published on `…/alerts/<type>`. Stable strings: part of the MQTT contract. */
export const ALERT_TYPES = [
  'fever',
  'suspected-case',
  'code-abnormal',
  'device-fault',
  'barrier-forced',
  'barrier-held-open',
  'trust-stale',
  'storage-fault',
  'emergency-open',
  'outbox-pressure',
  'broker-outage',
  'lockdown-breach',
  'exit-overdue',
  'quarantine-breach',
  'anti-passback',
] as const;

export type AlertType = (typeof ALERT_TYPES)[number];

export type AlertSeverity = 'info' | 'warning' | 'critical';

/** An alert as the core raises it; the shell gives it an id and persists it. */
export interface AlertDraft {
  type: AlertType;
  severity: AlertSeverity;
  at: number;
  gate?: string;
  lane?: string;
  /** The passage that raised it, when there is one. */
  passageId?: string;
  reasons: ReasonCode[];
  /** Drill alerts carry `drill: true`, so the district can tell an exercise apart (rule 8). */
  details: Readonly<Record<string, string | number | boolean | null>>;
}
