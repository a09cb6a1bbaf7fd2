import type { CodeColour } from '../core/credential.js';
import type { RosterCard } from '../core/roster.js';
import type { PassIssuer } from './pass-issuer.js';
import { pick, weighted } from './random.js';

/** One person arriving at a lane: what they scan, what the thermometer reads, whether they walk through. */
export interface Visit {
  persona: string;
  code: string;
  temperatures: number[];
  walks: boolean;
}

export interface PersonaContext {
  random: () => number;
  nowS: number;
  issuer: PassIssuer;
  /** An issuer the estate does not trust: its passes are forgeries. */
  forger: PassIssuer;
  cards: readonly RosterCard[];
  /** A recently granted pass, to show screenshot sharing. */
  recentPass: string | undefined;
}

type PersonaName =
  | 'resident'
  | 'resident-pass'
  | 'visitor-green'
  | 'visitor-risk-area'
  | 'visitor-yellow'
  | 'visitor-red'
  | 'fever'
  | 'warm-then-normal'
  | 'expired-pass'
  | 'forged-pass'
  | 'tampered-pass'
  | 'unknown-card'
  | 'garbage'
  | 'replayed-pass'
  | 'changed-mind';

const ENTRY_MIX: ReadonlyArray<readonly [PersonaName, number]> = [
  ['resident', 30],
  ['resident-pass', 4],
  ['visitor-green', 21],
  ['visitor-risk-area', 3],
  ['visitor-yellow', 4],
  ['visitor-red', 3],
  ['fever', 5],
  ['warm-then-normal', 4],
  ['expired-pass', 4],
  ['forged-pass', 3],
  ['tampered-pass', 2],
  ['unknown-card', 3],
  ['garbage', 2],
  ['replayed-pass', 4],
  ['changed-mind', 3],
];

const EXIT_MIX: ReadonlyArray<readonly [PersonaName, number]> = [
  ['resident', 70],
  ['visitor-green', 25],
  ['unknown-card', 5],
];

export function nextVisit(direction: 'in' | 'out', context: PersonaContext): Visit {
  const persona = weighted(context.random, direction === 'in' ? ENTRY_MIX : EXIT_MIX);
  return { persona, ...visitFor(persona, context) };
}

function visitFor(persona: PersonaName, context: PersonaContext): Omit<Visit, 'persona'> {
  const { random } = context;
  const normal = () => round(36.1 + random() * 0.9);
  const pass = (col: CodeColour, issuer = context.issuer, validForS = 86_400) =>
    issuer.issue({ sub: `visitor-${Math.floor(random() * 1e6)}`, col, iat: context.nowS - 3600, exp: context.nowS + validForS });
  switch (persona) {
    case 'resident':
      return { code: pick(random, context.cards).uid, temperatures: [normal()], walks: true };
    case 'resident-pass':
      // A resident showing their health pass: the roster links it to their card (docs/rules.md).
      return { code: context.issuer.issue({ sub: pick(random, context.cards).subject, col: 'green', iat: context.nowS - 3600, exp: context.nowS + 86_400 }), temperatures: [normal()], walks: true };
    case 'visitor-green':
      return { code: pass('green'), temperatures: [normal()], walks: true };
    case 'visitor-risk-area':
      // From Wuhan Wuchang (420106) with a test 10 days old: refused once a risk-area list names the region (rule 2).
      return {
        code: context.issuer.issue({ sub: `visitor-${Math.floor(random() * 1e6)}`, col: 'green', iat: context.nowS - 3600, exp: context.nowS + 86_400, origin: '420106', test: { at: context.nowS - 10 * 86_400, result: 'negative' } }),
        temperatures: [normal()],
        walks: true,
      };
    case 'visitor-yellow':
      return { code: pass('yellow'), temperatures: [normal()], walks: false };
    case 'visitor-red':
      return { code: pass('red'), temperatures: [normal()], walks: false };
    case 'fever': {
      const fever = round(37.6 + random() * 1.2);
      return { code: random() < 0.5 ? pick(random, context.cards).uid : pass('green'), temperatures: [fever, fever], walks: false };
    }
    case 'warm-then-normal':
      // Sun-warmed forehead: the re-measure decides.
      return { code: pass('green'), temperatures: [37.4, normal()], walks: true };
    case 'expired-pass':
      return { code: context.issuer.issue({ sub: 'visitor-expired', col: 'green', iat: context.nowS - 9 * 86_400, exp: context.nowS - 86_400 }), temperatures: [normal()], walks: false };
    case 'forged-pass':
      return { code: pass('green', context.forger), temperatures: [normal()], walks: false };
    case 'tampered-pass': {
      const [head, signature] = pass('red').split('.') as [string, string];
      const payload = JSON.parse(Buffer.from(head.slice(4), 'base64url').toString('utf8')) as Record<string, unknown>;
      const forgedHead = `HP1:${Buffer.from(JSON.stringify({ ...payload, col: 'green' })).toString('base64url')}`;
      return { code: `${forgedHead}.${signature}`, temperatures: [normal()], walks: false };
    }
    case 'unknown-card':
      return { code: `04FF${Math.floor(random() * 0xffffff).toString(16).padStart(6, '0').toUpperCase()}`, temperatures: [normal()], walks: false };
    case 'garbage':
      return { code: 'http://example.invalid/not-a-pass', temperatures: [normal()], walks: false };
    case 'replayed-pass':
      return { code: context.recentPass ?? pass('green'), temperatures: [normal()], walks: true };
    case 'changed-mind':
      return { code: pass('green'), temperatures: [normal()], walks: false };
  }
}

function round(celsius: number): number {
  return Math.round(celsius * 10) / 10;
}
