import type { CodeColour } from '../core/credential.js';
import type { RosterCard } from '../core/roster.js';
import type { PassIssuer } from './pass-issuer.js';
import { pick, weighted } from './random.js';

/** One person arriving at a lane: what they scan (in order), what the thermometer reads, whether they walk through. */
export interface Visit {
  persona: string;
  codes: string[];
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
  | 'resident-card-only'
  | 'resident-back-from-risk-area'
  | 'borrowed-pass'
  | 'positive-test'
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
  ['resident', 26],
  ['resident-pass', 6],
  ['resident-card-only', 2],
  ['resident-back-from-risk-area', 1],
  ['borrowed-pass', 1],
  ['positive-test', 1],
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
  ['resident', 55],
  ['resident-pass', 15],
  ['visitor-green', 25],
  ['unknown-card', 5],
];

export function nextVisit(direction: 'in' | 'out', context: PersonaContext): Visit {
  const persona = weighted(context.random, direction === 'in' ? ENTRY_MIX : EXIT_MIX);
  return { persona, ...visitFor(persona, context) };
}

function visitFor(persona: PersonaName, context: PersonaContext): Omit<Visit, 'persona'> {
  const { random, nowS } = context;
  const normal = () => round(36.1 + random() * 0.9);
  const issue = (sub: string, col: CodeColour, extra: Partial<Parameters<PassIssuer['issue']>[0]> = {}) =>
    context.issuer.issue({ sub, col, iat: nowS - 3600, exp: nowS + 86_400, ...extra });
  const visitor = () => `visitor-${Math.floor(random() * 1e6)}`;
  const pass = (col: CodeColour, issuer = context.issuer) => issuer.issue({ sub: visitor(), col, iat: nowS - 3600, exp: nowS + 86_400 });
  const resident = () => pick(random, context.cards);
  /** A resident shows the card, then the health pass on the phone (rule 1: the code is checked for everyone). */
  const cardThenPass = (card = resident()) => [card.uid, issue(card.subject, 'green')];
  const once = (code: string, temperatures: number[], walks: boolean) => ({ codes: [code], temperatures, walks });
  switch (persona) {
    case 'resident':
      return { codes: cardThenPass(), temperatures: [normal()], walks: true };
    case 'resident-pass':
      // The health pass alone: the roster links its subject to the resident (docs/rules.md).
      return once(issue(resident().subject, 'green'), [normal()], true);
    case 'resident-card-only':
      // Left the phone at home: the card alone waits for the code, then goes to the guard (HEALTH_CODE_REQUIRED).
      return once(resident().uid, [normal()], false);
    case 'resident-back-from-risk-area':
      // Back from Wuhan Wuchang (420106) without a test: refused once a risk-area list names the region (rule 2).
      return once(issue(resident().subject, 'green', { origin: '420106' }), [normal()], false);
    case 'borrowed-pass':
      // A resident's card with somebody else's pass on the phone: CODE_MISMATCH.
      return { codes: [resident().uid, pass('green')], temperatures: [normal()], walks: false };
    case 'positive-test':
      return once(issue(visitor(), 'green', { test: { at: nowS - 86_400, result: 'positive' } }), [normal()], false);
    case 'visitor-green':
      return once(pass('green'), [normal()], true);
    case 'visitor-risk-area':
      // From Wuhan Wuchang (420106) with a test 10 days old: refused once a risk-area list names the region (rule 2).
      return once(issue(visitor(), 'green', { origin: '420106', test: { at: nowS - 10 * 86_400, result: 'negative' } }), [normal()], true);
    case 'visitor-yellow':
      return once(pass('yellow'), [normal()], false);
    case 'visitor-red':
      return once(pass('red'), [normal()], false);
    case 'fever': {
      const fever = round(37.6 + random() * 1.2);
      return { codes: random() < 0.5 ? cardThenPass() : [pass('green')], temperatures: [fever, fever], walks: false };
    }
    case 'warm-then-normal':
      // Sun-warmed forehead: the re-measure decides, and the first reading is still reported.
      return once(pass('green'), [37.4, normal()], true);
    case 'expired-pass':
      return once(context.issuer.issue({ sub: 'visitor-expired', col: 'green', iat: nowS - 9 * 86_400, exp: nowS - 86_400 }), [normal()], false);
    case 'forged-pass':
      return once(pass('green', context.forger), [normal()], false);
    case 'tampered-pass':
      return once(paintedGreen(pass('red')), [normal()], false);
    case 'unknown-card':
      return once(`04FF${Math.floor(random() * 0xffffff).toString(16).padStart(6, '0').toUpperCase()}`, [normal()], false);
    case 'garbage':
      return once('http://example.invalid/not-a-pass', [normal()], false);
    case 'replayed-pass':
      return once(context.recentPass ?? pass('green'), [normal()], true);
    case 'changed-mind':
      return once(pass('green'), [normal()], false);
  }
}

/** A red pass with its colour edited to green and the signature kept: the signature no longer matches. */
function paintedGreen(redPass: string): string {
  const [head, signature] = redPass.split('.') as [string, string];
  const payload = JSON.parse(Buffer.from(head.slice(4), 'base64url').toString('utf8')) as Record<string, unknown>;
  const forgedHead = `HP1:${Buffer.from(JSON.stringify({ ...payload, col: 'green' })).toString('base64url')}`;
  return `${forgedHead}.${signature}`;
}

function round(celsius: number): number {
  return Math.round(celsius * 10) / 10;
}
