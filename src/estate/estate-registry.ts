import type { Clock } from '../core/clock.js';
import type { Subject } from '../core/credential.js';
import { NO_STATUS, type EstateRules, type RiskAreas, type RiskLevel, type SubjectStatus } from '../core/estate-facts.js';
import type { PassageRecord } from '../core/lane-types.js';
import { normalisePlate, type Registry, type VehicleEntry, type VisitorPassRecord } from '../core/registry.js';
import type { DrillRow, RuleStore } from '../store/rule-store.js';
import type { SubjectHasher } from '../store/subject-hash.js';
import type { WriteStep } from '../store/write-unit.js';
import { RecentSet } from '../core/recent-set.js';
import { feverSubjects, leavesFeverUnconfirmed, startsFeverHold } from '../core/fever-hold.js';

/** Far above an estate's residents and the day's visitors: the oldest entries beyond it are forgotten. */
const INSIDE_MAX = 50_000;

/** Settings of the rules from config; the drill and lists come from commands. */
export interface RuleSettings {
  exemptRoles: EstateRules['exemptRoles'];
  antiPassback: boolean;
  drillEnforces: boolean;
  suspectedCaseContacts: readonly string[];
  /** Past this age the risk-area list is stale; `null`: never. */
  riskListMaxAgeMs: number | null;
  /** How long a refusal with a confirmed fever holds the person out (policy.feverHoldMinutes); 0: no hold. */
  feverHoldMs: number;
}

interface HashedEntry {
  subject: string;
  until?: string;
}
interface RecoveredEntry {
  subject: string;
  isolatedUntil: string;
  testedNegativeAt: string;
}

/**
 * What the estate has registered and listed, as the gate rules read it: the
 * in-memory lists (reloaded when a `lists` command lands), visitor and exit
 * passes (straight from the store), resident vehicles, who is inside, and the
 * running drill. Subjects are matched by their keyed hashes: a list entry
 * names a person, who may show a card or a health pass.
 */
export class EstateRegistry implements Registry {
  private quarantine = new Map<string, number | null>();
  private recovered = new Map<string, { isolatedUntil: number; testedNegativeAt: number }>();
  private contacts = new Map<string, number | null>();
  private riskAreas: { version: string; refreshedAt: number | null; levels: Map<string, RiskLevel> } = { version: 'none', refreshedAt: null, levels: new Map() };
  private vehicles = new Map<string, VehicleEntry>();
  /**
   * Subject hashes whose last granted passage was an entry (anti-passback); kept in memory only, and at most
   * INSIDE_MAX of them: an entry without a scanned exit (a gate with no exit scanner) stayed for good, and the
   * 30-minute soak's 353,000 distinct residents grew the gateway's memory by 1.6 MB a minute (issue 14).
   */
  private readonly inside = new RecentSet(INSIDE_MAX);
  /**
   * When each person (both their hashes) was last refused with a confirmed fever: the fever hold, for every lane.
   * Oldest first; entries past the hold are dropped as new ones come, so it holds the fevers of one hold window.
   */
  private readonly feverDenials = new Map<string, number>();
  /** First fevers that no second sample settled, by subject hash, oldest first. */
  private readonly unconfirmedFevers = new Map<string, { celsius: number; at: number }>();
  /** The running drill as last read (activeDrill); none read yet when undefined. */
  private drill: { row: DrillRow | undefined } | undefined;

  constructor(
    private readonly store: RuleStore,
    private readonly hash: SubjectHasher,
    readonly visitorKey: Buffer,
    private readonly settings: RuleSettings,
    private readonly clock: Clock,
  ) {}

  /** Loads the persisted lists; call at start and after a `lists` command commits. */
  reloadLists(): void {
    const byHash = <T extends { subject: string }, V>(name: string, value: (entry: T) => V) =>
      new Map((this.store.list<T>(name)?.entries ?? []).map((entry) => [entry.subject, value(entry)]));
    const until = (entry: HashedEntry) => (entry.until ? Date.parse(entry.until) : null);
    this.quarantine = byHash<HashedEntry, number | null>('quarantine', until);
    this.contacts = byHash<HashedEntry, number | null>('contacts', until);
    this.recovered = byHash<RecoveredEntry, { isolatedUntil: number; testedNegativeAt: number }>('recovered', (e) => ({
      isolatedUntil: Date.parse(e.isolatedUntil),
      testedNegativeAt: Date.parse(e.testedNegativeAt),
    }));
    const risk = this.store.list<{ code: string; level: RiskLevel }>('risk-areas');
    this.riskAreas = { version: risk?.version ?? 'none', refreshedAt: risk?.updatedAt ?? null, levels: new Map((risk?.entries ?? []).map((e) => [e.code, e.level])) };
  }

  setVehicles(vehicles: readonly VehicleEntry[]): void {
    this.vehicles = new Map(vehicles.map((v) => [normalisePlate(v.plate), { ...v, plate: normalisePlate(v.plate) }]));
  }

  visitorPass(passId: string): VisitorPassRecord | undefined {
    return this.store.visitorPass(passId);
  }

  visitorPassForPlate(plate: string, at: number): VisitorPassRecord | undefined {
    return this.store.visitorPassForPlate(plate, at);
  }

  vehicle(plate: string): VehicleEntry | undefined {
    return this.vehicles.get(plate);
  }

  /** The risk-area list with its staleness now; a list never received cannot be stale. */
  risk(now: number): RiskAreas {
    const { refreshedAt } = this.riskAreas;
    const maxAge = this.settings.riskListMaxAgeMs;
    return { version: this.riskAreas.version, stale: refreshedAt !== null && maxAge !== null && now - refreshedAt > maxAge, levels: this.riskAreas.levels };
  }

  riskRefreshedAt(): number | null {
    return this.riskAreas.refreshedAt;
  }

  rules(drillActive: boolean): EstateRules {
    const drill = drillActive ? this.activeDrill(this.clock.now()) : undefined;
    return {
      exemptRoles: this.settings.exemptRoles,
      antiPassback: this.settings.antiPassback,
      drill: { active: drillActive, enforce: drill?.enforce ?? this.settings.drillEnforces },
      suspectedCaseContacts: this.settings.suspectedCaseContacts,
      feverHoldMs: this.settings.feverHoldMs,
    };
  }

  /** Whether a drill started without `enforce` keeps the barriers enforcing (config). */
  get drillEnforcesByDefault(): boolean {
    return this.settings.drillEnforces;
  }

  drillRunning(now: number): boolean {
    return this.activeDrill(now) !== undefined;
  }

  /** After a drill command commits: the next decision reads the drills again. */
  drillsChanged(): void {
    this.drill = undefined;
  }

  /**
   * The running drill, read again only after a drill command or when the one read has ended: every decision asks,
   * twice, and a read cost the event loop 0.07 ms per passage at 200/s (issue 14). Only drill commands write drills.
   */
  private activeDrill(now: number): DrillRow | undefined {
    const read = this.drill;
    if (read && (read.row?.endsAt == null || read.row.endsAt > now)) return read.row;
    const row = this.store.activeDrill(now);
    this.drill = { row };
    return row;
  }

  status(subject: Subject, now: number): SubjectStatus {
    if (subject.kind === 'plate') return NO_STATUS;
    const hashes = this.hashesOf(subject);
    const current = (until: number | null | undefined) => until !== undefined && (until === null || until > now);
    const recovered = hashes.map((h) => this.recovered.get(h)).find((r) => r !== undefined);
    const exitPass = this.store.exitPass(hashes);
    const feverDeniedAt = hashes.map((h) => this.feverDenials.get(h)).filter((at) => at !== undefined);
    return {
      quarantined: hashes.some((h) => current(this.quarantine.get(h))),
      generalContact: hashes.some((h) => current(this.contacts.get(h))),
      inside: this.inside.has(this.hash(subject)),
      ...(recovered ? { recovered } : {}),
      ...(exitPass ? { exitPass: { passId: exitPass.passId, validFrom: exitPass.validFrom, returnBy: exitPass.returnBy } } : {}),
      ...(feverDeniedAt.length > 0 ? { feverDeniedAt: Math.max(...feverDeniedAt) } : {}),
    };
  }

  /**
   * What a grant writes beside its passage: an exit pass used to leave, a return on one. They are steps of the
   * passage's own unit (journal.ts): as a unit of their own after it, a return was a second fsynced commit per
   * entry, which held up the next lane's decision on the writer thread (issue 14), and a crash between the two
   * lost the mark.
   */
  passageMarks(passage: PassageRecord): WriteStep[] {
    const { subject, decision } = passage;
    if (!subject || subject.kind === 'plate' || decision.verdict !== 'grant') return [];
    if (passage.direction === 'in') return [this.store.markReturned(this.hashesOf(subject), passage.at)];
    const pass = decision.reasons.includes('EXIT_PASS_VALID') ? this.store.exitPass(this.hashesOf(subject)) : undefined;
    return pass ? [this.store.markLeft(pass.passId, passage.at)] : [];
  }

  /** After a recorded passage: who is inside (anti-passback) after a grant; the fever hold after a confirmed fever. */
  onPassage(passage: PassageRecord): void {
    this.followFever(passage);
    const { subject, decision } = passage;
    if (!subject || subject.kind === 'plate' || decision.verdict !== 'grant') return;
    if (passage.direction === 'in') this.inside.add(this.hash(subject));
    else this.inside.delete(this.hash(subject));
  }

  /**
   * At start: the confirmed fevers recorded within the hold window, so a restart does not lift a hold. A passage
   * row keeps one of the person's hashes; `status` looks up both.
   */
  restoreFeverHolds(now: number): void {
    if (this.settings.feverHoldMs === 0) return;
    for (const { subjectHash, at } of this.store.feverDenials(now - this.settings.feverHoldMs)) this.holdForFever([subjectHash], at);
  }

  /** The subject's first fever left unconfirmed within the hold window (LaneWorld.unconfirmedFever). */
  unconfirmedFever(subject: Subject, now: number): { celsius: number; at: number } | undefined {
    // Asked at every screened scan and nearly always empty: no keyed hashes to compute then.
    if (this.unconfirmedFevers.size === 0) return undefined;
    const found = this.hashesOf(subject).map((h) => this.unconfirmedFevers.get(h)).find((fever) => fever !== undefined);
    return found && now - found.at < this.settings.feverHoldMs ? found : undefined;
  }

  /** A confirmed fever starts a hold; an unconfirmed one waits for the person's next sample; any other reading settles it. */
  private followFever(passage: PassageRecord): void {
    const hashes = feverSubjects(passage).flatMap((subject) => this.hashesOf(subject));
    if (startsFeverHold(passage.decision)) this.holdForFever(hashes, passage.at);
    if (leavesFeverUnconfirmed(passage.decision) && passage.temperatureC !== null) {
      if (this.settings.feverHoldMs > 0) remember(this.unconfirmedFevers, hashes, { celsius: passage.temperatureC, at: passage.at }, (fever) => fever.at <= passage.at - this.settings.feverHoldMs);
    } else if (passage.readings.length > 0) {
      for (const hash of hashes) this.unconfirmedFevers.delete(hash);
    }
  }

  private holdForFever(hashes: readonly string[], at: number): void {
    if (this.settings.feverHoldMs === 0) return;
    remember(this.feverDenials, hashes, at, (since) => since <= at - this.settings.feverHoldMs);
  }

  /** The keyed hash the store keeps for a subject (trace lookups). */
  hashSubject(subject: Subject): string {
    return this.hash(subject);
  }

  /** A person's list entries and passes are keyed by the hash of their id as a card and as a health pass. */
  private hashesOf(subject: Subject): [string, string] {
    return [this.hash({ kind: 'card', id: subject.id }), this.hash({ kind: 'health-pass', id: subject.id })];
  }
}

/** Sets `value` for `keys` as the newest entries, and drops the oldest entries while `expired` (insertion order is age). */
function remember<T>(map: Map<string, T>, keys: readonly string[], value: T, expired: (entry: T) => boolean): void {
  for (const key of keys) {
    map.delete(key);
    map.set(key, value);
  }
  for (const [key, entry] of map) {
    if (!expired(entry)) break;
    map.delete(key);
  }
}
