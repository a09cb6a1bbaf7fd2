import { cardForSubject, lookupCard } from '../core/roster.js';
import type { ApplyDeps } from './applier.js';

/** Past this many, unknown subjects are counted, not listed: a reply stays readable for a list of 100,000. */
const MAX_LISTED = 20;
/** Past this many, subjects are not looked up (two indexed reads each): a command must not hold the lanes' event loop for long. */
const MAX_CHECKED = 5000;

/**
 * The person a command's subject names. Lists and passes name a person by
 * their health-code subject; a roster card's UID given instead is read as the
 * card holder, so the entry matches whatever the person shows at the lane.
 */
export function personSubject(deps: Pick<ApplyDeps, 'estate'>, subject: string): string {
  const { roster } = deps.estate;
  if (cardForSubject(roster, subject)) return subject;
  return lookupCard(roster, subject)?.subject ?? subject;
}

/**
 * Warnings for subjects the estate has never met: no roster card (subject or
 * UID), no visitor registration, no recorded passage. Such a command is still
 * applied (a district list may name people who never came here), but a typo
 * in a subject id must not pass as a silent ok.
 */
export function unknownSubjectWarnings(deps: Pick<ApplyDeps, 'estate' | 'records' | 'hashSubject'>, subjects: Iterable<string>): string[] {
  const { roster } = deps.estate;
  const known = (subject: string) => {
    if (cardForSubject(roster, subject) || lookupCard(roster, subject)) return true;
    const asPass = deps.hashSubject('health-pass', subject);
    return deps.records.visitorRegistered(asPass) || deps.records.passageSeen(asPass, deps.hashSubject('card', subject));
  };
  const distinct = [...new Set(subjects)];
  const unknown = distinct.slice(0, MAX_CHECKED).filter((subject) => !known(subject));
  // Named by its keyed hash, as stored: a reply and its audit row carry no raw subject id.
  const listed = unknown.slice(0, MAX_LISTED).map((subject) => `subject ${deps.hashSubject('health-pass', subject)} matches no roster card, visitor registration or recorded passage`);
  return [
    ...listed,
    ...(unknown.length > MAX_LISTED ? [`and ${unknown.length - MAX_LISTED} more subjects match no known person`] : []),
    ...(distinct.length > MAX_CHECKED ? [`${distinct.length - MAX_CHECKED} more new subjects were not checked`] : []),
  ];
}
