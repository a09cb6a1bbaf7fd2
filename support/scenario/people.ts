import { generateKeyPairSync } from 'node:crypto';
import type { Subject } from '../../src/core/credential.js';
import { normalisePlate } from '../../src/core/registry.js';
import { lookupCard, type Roster } from '../../src/core/roster.js';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import type { PersonSpec, Timeline } from './timeline.js';

const DAY_MS = 86_400_000;

export interface ScenarioIssuer {
  kid: string;
  publicKey: string;
  issuer: PassIssuer;
}

/** An Ed25519 health-pass issuer for the scenario: the trusted one, or a forger's. */
export function createScenarioIssuer(kid: string): ScenarioIssuer {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = (publicKey.export({ format: 'jwk' }) as { x: string }).x;
  return { kid, publicKey: raw, issuer: new PassIssuer(kid, privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url')) };
}

/**
 * The scenario's people as what they show the scanner, and as the subject the
 * store hashes (for trace expectations). Visitor codes are learned from the
 * `visitor` command replies as the timeline plays.
 */
export class People {
  private readonly visitorCodes = new Map<string, string>();
  private readonly forger = createScenarioIssuer('forger');

  constructor(
    private readonly timeline: Timeline,
    private readonly trusted: ScenarioIssuer,
    private readonly start: number,
  ) {}

  names(): string[] {
    return Object.keys(this.timeline.people);
  }

  learnVisitorCode(passId: string, code: string): void {
    this.visitorCodes.set(passId, code);
  }

  code(name: string): string {
    const spec = this.spec(name);
    if ('card' in spec) return spec.card;
    if ('plate' in spec) return spec.plate;
    if ('code' in spec) return spec.code;
    if ('visitor' in spec) {
      const code = this.visitorCodes.get(spec.visitor);
      if (!code) throw new Error(`${name}: no visitor command issued pass ${spec.visitor} before this scan`);
      return code;
    }
    const { pass } = spec;
    const startS = Math.floor(this.start / 1000);
    const test = pass.testDaysAgo === undefined ? undefined : { at: Math.floor((this.start - pass.testDaysAgo * DAY_MS) / 1000), result: pass.testResult ?? 'negative' };
    const issuer = pass.forged ? this.forger.issuer : this.trusted.issuer;
    return issuer.issue({ sub: pass.subject ?? name, col: pass.colour ?? 'green', iat: startS - 3600, exp: startS + 60 * 86_400, ...(test ? { test } : {}), ...(pass.origin ? { origin: pass.origin } : {}) });
  }

  /** The subject the journal hashes for this person's passages; a roster card holder by their health-code subject. */
  subject(name: string, roster: Roster): Subject {
    const spec = this.spec(name);
    if ('card' in spec) {
      const card = lookupCard(roster, spec.card);
      return card ? { kind: 'health-pass', id: card.subject } : { kind: 'card', id: spec.card.toUpperCase() };
    }
    if ('plate' in spec) return { kind: 'plate', id: normalisePlate(spec.plate) };
    return { kind: 'health-pass', id: 'pass' in spec ? (spec.pass.subject ?? name) : name };
  }

  private spec(name: string): PersonSpec {
    const spec = this.timeline.people[name];
    if (!spec) throw new Error(`unknown person ${name}`);
    return spec;
  }
}
