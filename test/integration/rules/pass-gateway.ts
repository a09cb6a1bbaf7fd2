import type { ActorRole } from '../../../src/commands/command-roles.js';
import type { CommandName } from '../../../src/contract/command-schemas.js';
import type { CommandReply } from '../../../src/commands/types.js';
import type { HealthPassPayload } from '../../../src/core/health-pass.js';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import { PassIssuer } from '../../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';

/**
 * A gateway on virtual devices for the pass and list commands: gate `main`
 * with an entry and an exit lane, both screened (lockdown screens both ways),
 * two residents on the roster, and a health authority on the trust list.
 * Commands go through the gateway's own CommandService, the path MQTT and
 * HTTP share, with the role given; people show their own green health pass.
 */
export interface PassGateway {
  harness: Harness;
  /** A fresh green pass for `sub`, with `fields` (each one distinct: a granted payload seen again is a replay). */
  pass(sub: string, fields?: Partial<HealthPassPayload>): string;
  command(role: ActorRole, name: CommandName, body: Record<string, unknown>, id?: string): Promise<CommandReply>;
  /** Shows `codes` at lane `in` or `out` (100 ms apart) with a normal temperature; resolves with the decision. */
  scan(lane: 'in' | 'out', ...codes: string[]): Promise<PassageRecord>;
  audit(id: string): Array<{ ok: number; code: string | null; role: string; principal: string }>;
  stop(): Promise<void>;
}

export const RESIDENTS = [
  { uid: '04AABBCC01', subject: 'resident-1', role: 'resident', household: '1-101' },
  { uid: '04AABBCC02', subject: 'resident-2', role: 'resident', household: '1-102' },
] as const;

/** Gate `main` screened both ways (lockdown screens going out too): each lane has a scanner, a thermometer and a barrier. */
export const SCREENED_BOTH_WAYS = {
  gates: [
    {
      id: 'main',
      name: 'Main gate',
      lanes: ['in', 'out'].map((id) => ({ id, direction: id, devices: { scanner: `${id}-scanner`, thermometer: `${id}-thermo`, barrier: `${id}-barrier` } })),
    },
  ],
  devices: ['in', 'out'].flatMap((lane) => (['scanner', 'thermometer', 'barrier'] as const).map((role) => ({ id: `${lane}-${role === 'thermometer' ? 'thermo' : role}`, role, driver: 'virtual' }))),
};

export async function startPassGateway(): Promise<PassGateway> {
  const issuerKey = generateEd25519('district-health');
  const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
  const harness = await startHarness({
    ...SCREENED_BOTH_WAYS,
    roster: { cards: RESIDENTS },
    trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] },
    policy: { version: 'test-1', measureTimeoutMs: 1500, passageTimeoutMs: 1500, pairingWindowMs: 2000 },
  });
  const { gateway } = harness;
  let issued = 0;
  let commands = 0;
  return {
    harness,
    pass(sub, fields = {}) {
      issued += 1;
      const nowS = Math.floor(Date.now() / 1000);
      return issuer.issue({ sub, col: 'green', iat: nowS - 60 - issued, exp: nowS + 3600, ...fields });
    },
    command(role, name, body, id = `${name}-${(commands += 1)}`) {
      return gateway.commands.execute({ name, id, body, actor: { via: 'cli', principal: `test-${role}`, role }, receivedAt: Date.now() });
    },
    async scan(lane, ...codes) {
      const seen = harness.passages.length;
      harness.thermometer(`${lane}-thermo`).present(36.5);
      harness.barrier(`${lane}-barrier`).expectWalk(10);
      for (const [i, code] of codes.entries()) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        harness.scanner(`${lane}-scanner`).scan(code);
      }
      const passage = await waitFor(() => harness.passages[seen], `a decision at main/${lane}`);
      await waitFor(() => gateway.lanes.get(`main/${lane}`)?.phase === 'idle', `main/${lane} idle again`);
      return passage;
    },
    audit: (id) => gateway.db.prepare('SELECT ok, error_code AS code, role, principal FROM audit WHERE command_id = ? ORDER BY rowid').all(id) as ReturnType<PassGateway['audit']>,
    stop: () => harness.stop(),
  };
}
