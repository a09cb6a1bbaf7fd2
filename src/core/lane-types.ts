import type { AlertDraft } from './alerts.js';
import type { Credential, HealthPass, Subject } from './credential.js';
import type { Decision } from './decision.js';
import type { EstateRules, RiskAreas, SubjectStatus } from './estate-facts.js';
import type { Mode } from './mode.js';
import type { Direction, Enforcement } from './passage-facts.js';
import type { ScreeningRules } from './temperature.js';

/** Static description of one lane, from config. Times in ms. */
export interface LaneSetup {
  gate: string;
  lane: string;
  kind: 'pedestrian' | 'vehicle';
  hasThermometer: boolean;
  hasPassageSensor: boolean;
  enforcement: Enforcement;
  screening: ScreeningRules;
  /** A reading taken this long before the scan may still be paired with it. */
  freshnessMs: number;
  measureTimeoutMs: number;
  /** Re-measures allowed for implausible readings before referring to the guard. */
  maxRemeasures: number;
  passageTimeoutMs: number;
  suspectedCaseOnFever: boolean;
  policyVersion: string;
  /** How long a card, visitor pass or plate waits for the health pass that must follow it. */
  pairingWindowMs: number;
  /** The estate lets a roster card in alone in normal mode (off by default: the plan asks for the code). */
  cardAloneEntry: boolean;
  /**
   * How often the thermometer itself takes a new sample (a polled register that
   * the device refreshes); 0 when every reading is a new measurement (pushed or
   * triggered). A fever is confirmed only by a new sample.
   */
  sampleRefreshMs: number;
}

/** Facts about the world outside the lane, supplied by the shell on every step. */
export interface LaneWorld {
  mode: Mode;
  trustStale: boolean;
  /** Bound to the current trust list, roster, registry and time; a vehicle lane reads plates. */
  readCredential(code: string, laneKind: LaneSetup['kind']): Credential;
  isReplayed(fingerprint: string): boolean;
  /** What the estate's lists and passes say about a subject (quarantine, exit pass, …). */
  status(subject: Subject): SubjectStatus;
  /** The subject's first fever that no second sample confirmed or cleared, while it still counts (fever-hold.ts). */
  unconfirmedFever(subject: Subject): { celsius: number; at: number } | undefined;
  risk: RiskAreas;
  rules: EstateRules;
}

export type LaneDeviceRole = 'scanner' | 'thermometer' | 'barrier';

export type LaneEvent =
  | { type: 'scan'; at: number; attemptId: string; code: string; direction: Direction }
  | { type: 'reading'; at: number; celsius: number }
  | { type: 'tick'; at: number }
  | { type: 'passage'; at: number }
  | { type: 'device'; at: number; role: LaneDeviceRole; online: boolean }
  | { type: 'release-failed'; at: number; passageId: string }
  | { type: 'record-failed'; at: number; passageId: string }
  /** A guard's or manager's remote release (`…/cmd/open`); the shell names the passage and the lane's direction. */
  | { type: 'manual-release'; at: number; passageId: string; direction: Direction; reason: string; actor: string };

/** A passage attempt as decided: what the store writes and the MQTT passage message reports. */
export interface PassageRecord {
  id: string;
  at: number;
  gate: string;
  lane: string;
  direction: Direction;
  kind: 'pedestrian' | 'vehicle';
  /** What identified the person: a card, a visitor pass, a plate, or the health pass itself. */
  credential: Credential['kind'];
  /** The person (a roster card names its holder's health-code subject, so one person has one subject). */
  subject?: Subject;
  /** On a vehicle lane, the plate; `subject` is then the occupant who showed the health pass. */
  vehicle?: Subject;
  /** The health pass's subject when it is not `subject` (a card and another person's pass: CODE_MISMATCH). */
  codeSubject?: Subject;
  decision: Decision;
  /** The reading the decision used, if any. */
  temperatureC: number | null;
  /** Every reading taken for this attempt, in order (re-measures included). */
  readings: number[];
  mode: Mode;
  /** Decided during a drill (estate plan, rule 8): the district tells it apart. */
  drill?: true;
}

/** Who released a lane by hand, and why: logged with the passage (the audit log keeps the command itself). */
export interface ManualRelease {
  reason: string;
  actor: string;
}

export type PassageOutcome = 'passed' | 'not-passed' | 'unconfirmed' | 'barrier-fault';

export type LaneEffect =
  | { type: 'measure' }
  /** Persist the passage and its alerts in one transaction. Effects after it run only if it succeeded. */
  | { type: 'record'; passage: PassageRecord; alerts: AlertDraft[]; manual?: ManualRelease }
  | { type: 'release'; passageId: string }
  | { type: 'settle'; passageId: string; outcome: PassageOutcome; at: number }
  | { type: 'alert'; alert: AlertDraft }
  /**
   * A granted pass: its fingerprint and its holder (`person`), each per direction, so neither the same pass nor
   * the same person goes the same way twice within the replay window; `forget` is the holder's other direction.
   */
  | { type: 'remember-pass'; fingerprint: string; person: string; forget: string; at: number }
  | { type: 'indicate'; signal: 'idle' | 'grant' | 'deny' | 'refer' | 'busy' }
  | { type: 'ignored'; reason: 'lane-busy' | 'stale-reading' | 'late-event' | 'same-sample'; at: number };

export interface Attempt {
  id: string;
  at: number;
  direction: Direction;
  /** What identified the person, or their health pass when shown alone. */
  credential: Credential;
  /**
   * The codes as scanned, read again when the attempt is decided: a visitor pass revoked, a list or a trust
   * list changed while the person waited counts (found from outside: a pass revoked mid-attempt still opened).
   */
  scanned: { credential: string; code?: string };
  /** The health pass shown after a card, visitor pass or plate. */
  code?: HealthPass;
  readings: number[];
  implausibleReadings: number;
  /** The first reading at or above the threshold, waiting for a new sample to confirm it. */
  firstFever?: { celsius: number; at: number };
  /** The last reading judged, to tell a new sample from the same register read again. */
  lastReading?: { celsius: number; at: number };
}

export type LanePhase =
  | { name: 'idle' }
  /**
   * A card, visitor pass or plate was shown: waiting for the health pass. The readings taken meanwhile are that
   * person's, and are judged when the pass comes (found from outside: a fever read while waiting was forgotten).
   */
  | { name: 'awaiting-code'; attempt: Attempt; deadline: number; readings: ReadonlyArray<{ celsius: number; at: number }> }
  | { name: 'measuring'; attempt: Attempt; deadline: number }
  | { name: 'passing'; passageId: string; deadline: number };

export interface LaneState {
  phase: LanePhase;
  devices: Readonly<Record<LaneDeviceRole, boolean>>;
  /**
   * Readings taken with nobody scanned yet, paired with the next scan if fresh enough, then discarded; also the
   * first fever reading of an attempt that ended before a new sample confirmed or cleared it.
   */
  pendingReadings?: ReadonlyArray<{ celsius: number; at: number }>;
  /**
   * The last first fever here that no second sample settled, and whose it was: their next scan starts from it past
   * the freshness window too. The registry learns it only once its passage is committed, after a rescan that
   * decided it in the same step has already started the next attempt (lane-readings.ts, withUnconfirmedFever).
   */
  unconfirmedFever?: { subjectId: string; celsius: number; at: number };
  /** Set once a thermometer fault was alerted; cleared by the next good reading, so one fault raises one alert. */
  thermometerFaultAlerted: boolean;
}

export interface LaneStep {
  state: LaneState;
  effects: LaneEffect[];
  /** When the shell must send the next `tick`, if the lane is waiting on time. */
  deadline?: number;
}
