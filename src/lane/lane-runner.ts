import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertDraft } from '../core/alerts.js';
import type { Clock } from '../core/clock.js';
import { initialLaneState, stepLane } from '../core/lane-machine.js';
import type { LaneDeviceRole, LaneEffect, LaneEvent, LanePhase, LaneSetup, LaneState, ManualRelease, PassageRecord } from '../core/lane-types.js';
import type { Announcer, Barrier, Device, DeviceRole, DeviceStatus, Indicator, Scanner, Thermometer } from '../drivers/device.js';
import { announcementFor } from './announcements.js';
import { announcePassage, type Announce } from './passage-announce.js';
import type { EventBus } from '../event-bus.js';
import type { Journal } from '../store/journal.js';
import type { EstateState } from '../estate/estate-state.js';


export interface LaneDevices {
  scanner: Scanner;
  exitScanner?: Scanner;
  /** A vehicle lane's window scanner: the occupants' health passes after the plate. */
  codeScanner?: Scanner;
  thermometer?: Thermometer;
  barrier: Barrier;
  indicator?: Indicator;
  announcer?: Announcer;
}

export interface LaneRunnerDeps {
  setup: LaneSetup;
  /** Direction of a scan on the main scanner; the exit scanner always scans `out`. */
  scannerDirection: 'in' | 'out';
  devices: LaneDevices;
  estate: EstateState;
  journal: Journal;
  clock: Clock;
  log: Logger;
  /** Where the lane announces each recorded passage (`passage-recorded`) and each failed write (`storage-fault`). */
  events: EventBus;
}

/** What the guard-room page shows of a lane; read-only. */
export interface LaneSnapshot {
  id: string;
  gate: string;
  lane: string;
  kind: LaneSetup['kind'];
  /** `both` on a two-way lane (a scanner each side): each passage says which way it went. */
  direction: 'in' | 'out' | 'both';
  phase: LaneState['phase']['name'] | 'stopped';
  lastPassage: PassageRecord | null;
  lastReading: { celsius: number; at: number } | null;
  devices: Array<{ slot: string; id: string; role: DeviceRole; status: DeviceStatus; noiseBytes?: number | undefined }>;
}

/**
 * The imperative shell around one lane's state machine: it turns device
 * callbacks into events, runs the resulting effects in order (record before
 * release) and keeps one timer for the machine's next deadline.
 */
export class LaneRunner {
  private state: LaneState = initialLaneState();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly log: Logger;
  /** Only one attempt is in flight per lane, so one slot suffices to time scan → decision. */
  private lastScan: { id: string; startedAt: bigint } | undefined;
  private lastPassage: PassageRecord | undefined;
  private lastReading: { celsius: number; at: number } | undefined;

  constructor(private readonly deps: LaneRunnerDeps) {
    this.log = deps.log.child({ module: 'lane', gate: deps.setup.gate, lane: deps.setup.lane });
  }

  get id(): string {
    return `${this.deps.setup.gate}/${this.deps.setup.lane}`;
  }

  get phase(): LaneState['phase']['name'] {
    return this.state.phase.name;
  }

  start(): void {
    const { devices, clock, scannerDirection } = this.deps;
    this.running = true;
    devices.scanner.onCode(({ code, at }) => this.scan(code, at, scannerDirection));
    devices.exitScanner?.onCode(({ code, at }) => this.scan(code, at, 'out'));
    devices.codeScanner?.onCode(({ code, at }) => this.scan(code, at, scannerDirection));
    devices.thermometer?.onReading(({ celsius, at }) => {
      this.lastReading = { celsius, at };
      this.dispatch({ type: 'reading', at, celsius });
    });
    devices.barrier.onPassage(({ at }) => this.dispatch({ type: 'passage', at }));
    const watched: Array<[LaneDeviceRole, Device | undefined]> = [
      ['scanner', devices.scanner],
      ['thermometer', devices.thermometer],
      ['barrier', devices.barrier],
    ];
    for (const [role, device] of watched) {
      if (!device) continue;
      device.onStatus((status) => this.dispatch({ type: 'device', at: clock.now(), role, online: status.availability !== 'offline' }));
      if (device.status().availability === 'offline') this.dispatch({ type: 'device', at: clock.now(), role, online: false });
    }
    this.log.info({ devices: Object.fromEntries(Object.entries(devices).map(([slot, d]) => [slot, (d as Device).id])) }, 'lane started');
  }

  snapshot(): LaneSnapshot {
    const { setup, devices } = this.deps;
    return {
      id: this.id,
      gate: setup.gate,
      lane: setup.lane,
      kind: setup.kind,
      direction: devices.exitScanner ? 'both' : this.deps.scannerDirection,
      phase: this.running ? this.state.phase.name : 'stopped',
      lastPassage: this.lastPassage ?? null,
      lastReading: this.lastReading ?? null,
      devices: Object.entries(devices).map(([slot, device]) => ({ slot, id: (device as Device).id, role: (device as Device).role, status: (device as Device).status(), noiseBytes: (device as Device).noiseBytes })),
    };
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    if (this.state.phase.name === 'measuring') this.log.info({ attempt: this.state.phase.attempt.id }, 'shutdown: undecided scan dropped, barrier stays closed');
  }

  private scan(code: string, at: number, direction: 'in' | 'out'): void {
    const attemptId = randomUUID();
    this.lastScan = { id: attemptId, startedAt: process.hrtime.bigint() };
    this.dispatch({ type: 'scan', at, attemptId, code, direction });
  }

  dispatch(event: LaneEvent): void {
    if (!this.running) return;
    const step = stepLane(this.state, event, this.deps.setup, this.deps.estate.world(this.deps.setup.gate));
    const before = this.state.phase;
    this.state = step.state;
    // A step cut short by a failed record speaks nothing: the record-failed step that follows speaks for it.
    this.run(step.effects, () => this.speak(before, step.state.phase, step.effects));
    clearTimeout(this.timer);
    this.timer = undefined;
    if (step.deadline !== undefined) {
      const delay = Math.max(0, step.deadline - this.deps.clock.now());
      this.timer = setTimeout(() => this.dispatch({ type: 'tick', at: this.deps.clock.now() }), delay);
    }
  }

  /**
   * Remote release by a guard or manager (`…/cmd/open`): an event of the lane machine, which records it before
   * the barrier moves and refuses it while the lane is busy with someone else.
   */
  manualRelease(reason: string, actor: string): { ok: true; passageId: string } | { ok: false; phase: string } {
    if (!this.running) return { ok: false, phase: 'stopped' };
    const before = this.state.phase.name;
    const passageId = randomUUID();
    this.dispatch({ type: 'manual-release', at: this.deps.clock.now(), passageId, direction: this.deps.scannerDirection, reason, actor });
    if (this.lastPassage?.id === passageId) return { ok: true, passageId };
    // An idle lane takes the release, so nothing recorded means the write failed (the lane then refers).
    return { ok: false, phase: before === 'idle' ? 'storage-fault' : before };
  }

  /**
   * Runs a step's effects in order. A record holds back the effects after it
   * until its commit resolves (nothing is released unrecorded); `done` runs
   * once all have run, and not at all when the record fails. A guard's
   * release commits on the synchronous path: its command answers at once
   * whether it was recorded. The record's log line and listeners (the page,
   * the metrics, the registry) run after the effects that follow it, in the
   * same turn: the barrier's command does not wait for them (issue 14).
   */
  private run(effects: readonly LaneEffect[], done: () => void): void {
    const at = effects.findIndex((effect) => effect.type === 'record');
    for (const effect of at === -1 ? effects : effects.slice(0, at)) this.perform(effect);
    const record = effects[at];
    if (record?.type !== 'record') return done();
    const recorded = (announce: Announce | undefined) => {
      if (!announce) return this.dispatch({ type: 'record-failed', at: this.deps.clock.now(), passageId: record.passage.id });
      this.run(effects.slice(at + 1), done);
      announce();
    };
    if (record.manual) return recorded(this.recordNow(record.passage, record.manual));
    void this.record(record.passage, record.alerts).then((announce) => {
      // Recorded but stopped meanwhile: the barrier stays closed, a row without an opening.
      if (this.running) recorded(announce);
      else announce?.();
    });
  }

  /** The lane's voice: the clip its catalogue gives this step (src/lane/announcements.ts), if the lane has an announcer. */
  private speak(before: LanePhase, after: LanePhase, effects: readonly LaneEffect[]): void {
    const announcer = this.deps.devices.announcer;
    const clip = announcer && announcementFor(announcer.clips, before, after, effects);
    if (clip) announcer.play(clip);
  }

  private perform(effect: LaneEffect): void {
    const { devices, journal, estate, clock } = this.deps;
    switch (effect.type) {
      case 'record':
        return;
      case 'measure':
        devices.thermometer?.measure();
        return;
      case 'release':
        devices.barrier.release().catch((error: Error) => {
          this.log.error({ err: error.message, code: 'GW_BARRIER_NO_ACK', passage: effect.passageId }, 'barrier did not release');
          this.dispatch({ type: 'release-failed', at: clock.now(), passageId: effect.passageId });
        });
        return;
      case 'settle':
        this.background(journal.settlePassage(effect.passageId, effect.outcome, effect.at));
        this.log.debug({ passage: effect.passageId, outcome: effect.outcome }, 'passage settled');
        return;
      case 'alert':
        this.guardStorage(() => journal.recordAlert(effect.alert));
        this.log.warn({ alert: effect.alert.type, reasons: effect.alert.reasons }, 'alert raised');
        return;
      case 'remember-pass':
        for (const key of [effect.fingerprint, estate.replayKey(effect.person)]) {
          estate.replay.remember(key, effect.at);
          this.background(journal.rememberPass(key, effect.at));
        }
        estate.replay.forget(estate.replayKey(effect.forget));
        this.background(journal.forgetPass(estate.replayKey(effect.forget)));
        return;
      case 'indicate':
        devices.indicator?.show(effect.signal).catch((error: Error) => this.log.warn({ err: error.message }, 'indicator failed'));
        return;
      case 'ignored':
        this.log.debug({ reason: effect.reason }, 'event ignored');
        return;
    }
  }

  /** Records a decided passage; what to announce once it is, or undefined (reported as a storage fault) when it did not commit. */
  private async record(passage: PassageRecord, alerts: AlertDraft[]): Promise<Announce | undefined> {
    const submittedAt = process.hrtime.bigint();
    try {
      await this.deps.journal.recordPassage(passage, alerts);
    } catch (error) {
      this.storageFault(error as Error);
      return undefined;
    }
    return this.recorded(passage, alerts, submittedAt);
  }

  /** A guard's release, recorded on the synchronous path; undefined (reported as a storage fault) when it did not commit. */
  private recordNow(passage: PassageRecord, manual: ManualRelease): Announce | undefined {
    if (!this.guardStorage(() => this.deps.journal.recordPassageNow(passage, []))) return undefined;
    const announce = this.recorded(passage, []);
    return () => {
      announce();
      this.log.info({ passage: passage.id, reason: manual.reason, actor: manual.actor }, 'manual release');
    };
  }

  /**
   * The passage is the lane's last, now; its log line and event wait for the caller (see run).
   * `submittedAt`: when the commit was asked for, to split scan → recorded into deciding and committing.
   */
  private recorded(passage: PassageRecord, alerts: AlertDraft[], submittedAt?: bigint): Announce {
    const started = this.lastScan?.id === passage.id ? this.lastScan.startedAt : undefined;
    const now = process.hrtime.bigint();
    const sinceScanMs = started === undefined ? null : Number(now - started) / 1e6;
    const split = started === undefined || submittedAt === undefined ? {} : { decideMs: Number(submittedAt - started) / 1e6, commitMs: Number(now - submittedAt) / 1e6 };
    this.lastPassage = passage;
    return () => announcePassage(this.log, this.deps.events, passage, alerts, sinceScanMs === null ? undefined : { sinceScanMs, ...split });
  }

  /** A write that nothing waits for (settle, replay window): a failure is reported, the lane goes on. */
  private background(write: Promise<void>): void {
    write.catch((error: Error) => this.storageFault(error));
  }

  private guardStorage(write: () => unknown): boolean {
    try {
      write();
      return true;
    } catch (error) {
      this.storageFault(error as Error);
      return false;
    }
  }

  private storageFault(error: Error): void {
    this.log.error({ err: error.message, code: 'GW_STORAGE' }, 'database write failed: lane refers to the guard');
    this.deps.events.emit('storage-fault', { error, where: { gate: this.deps.setup.gate, lane: this.deps.setup.lane } });
  }
}
