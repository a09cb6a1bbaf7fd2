import { createHmac } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { buildRoster } from '../core/roster.js';
import type { TrustList } from '../core/trust-list.js';
import { EstateRegistry } from '../estate/estate-registry.js';
import { EstateState } from '../estate/estate-state.js';
import type { Secrets } from '../secrets.js';
import type { Journal } from '../store/journal.js';
import { RuleStore } from '../store/rule-store.js';
import type { GatewayStore, StartContext } from './context.js';

export interface GatewayEstate {
  estate: EstateState;
  registry: EstateRegistry;
  ruleStore: RuleStore;
}

/**
 * What every lane reads: the trust list, the roster, the replay window (passes
 * granted just before a restart are still in it) and the estate registry,
 * which follows every recorded passage (who is inside, exit passes used, who
 * is held out by a confirmed fever: restored from the passages at start).
 */
export function buildEstate({ config, secrets, clock }: StartContext, { db, access, journal, events }: GatewayStore): GatewayEstate {
  // The decision's lookups read from the reader; a grant's marks commit in its passage's unit.
  const ruleStore = new RuleStore(db, access);
  const registry = estateRegistry(config, ruleStore, journal, secrets, clock);
  const estate = new EstateState(trustList(config, secrets, clock), buildRoster(config.roster.cards), config.policy.replayWindowS * 1000, clock, registry);
  for (const { key, at } of journal.recentPasses(clock.now() - config.policy.replayWindowS * 1000)) estate.replay.remember(key, at);
  journal.markPassagesWith((passage) => registry.passageMarks(passage));
  events.on('passage-recorded', ({ passage }) => registry.onPassage(passage));
  return { estate, registry, ruleStore };
}

/** The rules' registry: lists and vehicles restored from the store (commands win over config), the visitor key derived from the estate key. */
function estateRegistry(config: Readonly<Config>, store: RuleStore, journal: Journal, secrets: Secrets, clock: Clock): EstateRegistry {
  const { policy } = config;
  const estateKey = Buffer.from(secrets.estateKey, 'base64url');
  const registry = new EstateRegistry(
    store,
    journal.hashSubject,
    createHmac('sha256', estateKey).update('gatewarden visitor pass v1').digest(),
    {
      exemptRoles: policy.lockdownExemptRoles,
      antiPassback: policy.antiPassback,
      drillEnforces: policy.drillEnforces,
      suspectedCaseContacts: policy.suspectedCaseContacts,
      riskListMaxAgeMs: policy.riskListMaxAgeHours === null ? null : policy.riskListMaxAgeHours * 3_600_000,
      feverHoldMs: policy.feverHoldMinutes * 60_000,
    },
    clock,
  );
  registry.reloadLists();
  registry.restoreFeverHolds(clock.now());
  registry.setVehicles(store.list<Config['roster']['vehicles'][number]>('vehicles')?.entries ?? config.roster.vehicles);
  return registry;
}

function trustList(config: Readonly<Config>, secrets: Secrets, clock: Clock): TrustList {
  const issuers = Object.fromEntries(config.trust.issuers.map((issuer) => [issuer.kid, issuer.publicKey]));
  if (config.demo.crowd && secrets.demoIssuer) issuers[secrets.demoIssuer.kid] = secrets.demoIssuer.publicKey;
  return {
    issuers,
    refreshedAt: config.trust.refreshedAt ? Date.parse(config.trust.refreshedAt) : clock.now(),
    maxAgeMs: config.trust.maxAgeHours === null ? null : config.trust.maxAgeHours * 3_600_000,
  };
}
