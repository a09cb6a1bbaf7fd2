import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { signedBytes } from '../../src/contract/signature.js';
import { reportSigner, stampReport } from '../../src/store/report-chain-format.js';

/**
 * One example payload per channel of the contract (src/contract/channels.ts), shown
 * in docs/mqtt.md and docs/asyncapi.yaml. Fixed values, so the generated files
 * only change when the contract does; test/contract checks each one against
 * its schema.
 */

const TS = '2026-11-29T08:15:00.000Z';
const SINCE = '2026-11-29T06:00:00.000Z';

/**
 * A documentation-only manager key from a fixed seed, so the signed example
 * is reproducible and verifiable. Never configure it on a real gateway.
 */
const EXAMPLE_SEED = Buffer.alloc(32, 7);
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const exampleKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, EXAMPLE_SEED]), format: 'der', type: 'pkcs8' });
export const EXAMPLE_MANAGER_KID = 'mgr-example';
export const EXAMPLE_MANAGER_PUBLIC_KEY = exampleKey.export({ format: 'jwk' }).x as string;

export function signExample(body: Record<string, unknown>): Record<string, unknown> {
  const unsigned = { ...body, kid: EXAMPLE_MANAGER_KID };
  return { ...unsigned, sig: sign(null, signedBytes(unsigned), exampleKey).toString('base64url') };
}

const envelope = (id: string) => ({ id, ts: TS, v: 1 });

/**
 * The report chain's examples are one real chain (docs/district.md): seq 41…45
 * after a fixed hash, the gap record and checkpoint signed by a
 * documentation-only gateway key from a fixed seed, so a reader can verify them.
 */
const exampleGateway = reportSigner({ kid: 'gateway-example', privateKey: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.alloc(32, 9)]).toString('base64url') });
export const EXAMPLE_GATEWAY_PUBLIC_KEY = createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.alloc(32, 9)]), format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x as string;
let chainHead = createHash('sha256').update('example report 40').digest('hex');
function chained(seq: number, body: Record<string, unknown>, signed = false): Record<string, unknown> {
  const { payload, hash } = stampReport(body, seq, chainHead, signed ? exampleGateway : undefined);
  chainHead = hash;
  return JSON.parse(payload) as Record<string, unknown>;
}

export const EXAMPLES: Record<string, unknown> = {
  status: { ...envelope('5b0e8d1c-status'), online: true, mode: 'normal', version: '0.1.0', since: SINCE },
  mode: {
    ...envelope('0c9a5e2f-mode'),
    mode: 'lockdown',
    scopes: [{ scope: 'estate', mode: 'lockdown', reason: 'confirmed case in building 3', by: 'manager-zhang', since: TS, expiresAt: null, drill: false }],
  },
  health: {
    ...envelope('a1f3-health'),
    mode: 'normal',
    uptimeS: 8100,
    devices: { 'north-in-thermo': 'online', 'north-in-scanner': 'online', 'north-in-barrier': 'online' },
    lanes: { 'north/in-1': { phase: 'idle', mode: 'normal' } },
    outbox: { depth: 3, oldestAgeMs: 120, capacity: 200000, shed: 0 },
    broker: { connected: true, url: 'mqtt://127.0.0.1:1883' },
    uplink: null,
    trust: { ageS: 3600, stale: false, issuers: 2 },
    counters: { published: 10412, commands: 3, commandsRefused: 1 },
  },
  // Two of every code shown; the topology carries them all.
  topology: {
    ...envelope('3e1d-topology'),
    estate: { id: 'lotus-garden', name: 'Lotus Garden Residences (莲花苑)', timeZone: 'Asia/Shanghai' },
    gates: [
      {
        id: 'north',
        name: 'North gate (北门)',
        lanes: [{ id: 'in-1', direction: 'in', kind: 'pedestrian', temperatureEnforcement: 'hard', devices: { scanner: 'north-in-scanner', thermometer: 'north-in-thermo', barrier: 'north-in-barrier' } }],
      },
    ],
    devices: [
      { id: 'north-in-scanner', role: 'scanner', driver: 'profile', profile: 'scanner-qr-cr', gate: 'north', lane: 'in-1', slot: 'scanner' },
      { id: 'north-in-thermo', role: 'thermometer', driver: 'profile', profile: 'thermo-rtu-int16', gate: 'north', lane: 'in-1', slot: 'thermometer' },
      { id: 'north-in-barrier', role: 'barrier', driver: 'virtual', profile: null, gate: 'north', lane: 'in-1', slot: 'barrier' },
    ],
    reasons: {
      CODE_RED: { text: 'health code is red', zh: '健康码红码', en: 'Health code red' },
      FEVER: { text: 'temperature at or above the fever threshold, confirmed by a second reading', zh: '发热（复测确认）', en: 'Fever (confirmed by a second reading)' },
    },
    alerts: { fever: { zh: '发热', en: 'Fever' }, 'suspected-case': { zh: '疑似病例', en: 'Suspected case' } },
    verdicts: { grant: { zh: '放行', en: 'Granted' }, deny: { zh: '拒绝', en: 'Denied' }, refer: { zh: '转人工', en: 'Referred to guard' } },
    modes: { normal: { zh: '正常', en: 'Normal' }, lockdown: { zh: '封控', en: 'Lockdown' }, 'emergency-open': { zh: '紧急开闸', en: 'Emergency open' } },
  },
  device: {
    ...envelope('77c2-device'),
    device: 'north-in-thermo',
    role: 'thermometer',
    availability: 'offline',
    since: TS,
    lastError: { code: 'GW_DEVICE_TIMEOUT', message: 'no Modbus reply within 300 ms', at: TS },
  },
  passage: chained(41, {
    ...envelope('p-01JDX3M6Q8'),
    gate: 'north',
    lane: 'in-1',
    direction: 'in',
    kind: 'pedestrian',
    verdict: 'deny',
    reasons: ['FEVER'],
    rule: 'fever',
    policyVersion: '2026-11-01',
    credential: 'health-pass',
    subject: 'kH3q0x9Yp1mZ7c2VtR4bLw',
    temperatureC: 38.4,
    mode: 'normal',
  }),
  alert: chained(42, {
    ...envelope('a-01JDX3M6QA'),
    type: 'fever',
    severity: 'critical',
    gate: 'north',
    lane: 'in-1',
    passageId: 'p-01JDX3M6Q8',
    subject: 'kH3q0x9Yp1mZ7c2VtR4bLw',
    reasons: ['FEVER'],
    details: { verdict: 'deny', temperatureC: 38.4, direction: 'in', readingsC: '38.2, 38.4', thresholdC: 37.3 },
  }),
  stats: chained(43, {
    ...envelope('s-2026-11-29T08:15'),
    from: '2026-11-29T08:10:00.000Z',
    to: TS,
    gates: { north: { grant: 212, deny: 3, refer: 1, alerts: 2, entries: 130, exits: 82, refusals: { CODE_RED: 1, FEVER: 2, NO_TEMPERATURE: 1 }, fevers: 2 } },
  }),
  audit: chained(44, {
    ...envelope('9d2e-audit'),
    commandId: 'cmd-2026-11-29-001',
    name: 'lockdown',
    via: 'mqtt',
    principal: 'manager key:mgr-example',
    role: 'manager',
    ok: true,
    errorCode: null,
    mode: { mode: 'lockdown', gates: null, reason: 'confirmed case in building 3', by: 'manager-zhang', expiresAt: null, drill: false },
  }),
  gap: chained(45, { ...envelope('4b7f-gap'), reason: 'outbox-full', outbox: 'outbox', ranges: [{ from: 12, to: 19 }, { from: 23, to: 23 }], count: 9 }, true),
  'cmd-resend': { ...envelope('cmd-2026-11-29-012'), fromSeq: 12, toSeq: 23 },
  'cmd-lockdown': signExample({ ...envelope('cmd-2026-11-29-001'), reason: 'confirmed case in building 3', by: 'manager-zhang' }),
  'cmd-mode': { ...envelope('cmd-2026-11-29-002'), mode: 'normal', reason: 'lockdown lifted by the district CDC', by: 'manager-zhang' },
  'cmd-open': { ...envelope('cmd-2026-11-29-003'), gate: 'north', lane: 'in-1', reason: 'ambulance crew', by: 'guard-li' },
  'cmd-roster': { ...envelope('cmd-2026-11-29-004'), version: '2026-11-29', cards: [{ uid: '04AABBCCDD', subject: 'resident-1', role: 'resident', household: '3-1201' }] },
  'cmd-lists': { ...envelope('cmd-2026-11-29-005'), list: 'quarantine', op: 'add', version: '2026-11-29.2', entries: [{ subject: 'resident-7', until: '2026-12-13T00:00:00Z' }] },
  'cmd-exit-pass': { ...envelope('cmd-2026-11-29-006'), passId: 'exit-0042', subject: 'resident-1', household: '3-1201', reason: 'dialysis appointment', returnBy: '2026-11-29T14:00:00Z', by: 'approver-chen' },
  'cmd-visitor': {
    ...envelope('cmd-2026-11-29-007'),
    passId: 'visit-0107',
    subject: 'visitor-8841',
    hostHousehold: '3-1201',
    plate: '闽D12345',
    validFrom: '2026-11-29T09:00:00Z',
    validUntil: '2026-11-29T18:00:00Z',
    by: 'guard-li',
  },
  'cmd-revoke-pass': { ...envelope('cmd-2026-11-29-011'), pass: 'exit', passId: 'exit-0042', reason: 'appointment moved to tomorrow', by: 'approver-chen' },
  'cmd-policy': { ...envelope('cmd-2026-11-29-008'), version: '2026-11-29', rules: { feverThresholdC: 37.3 } },
  'cmd-drill': { ...envelope('cmd-2026-11-29-009'), drillId: 'drill-q4', scenario: 'suspected case at the north gate', endsAt: '2026-11-29T10:00:00Z', by: 'manager-zhang' },
  'cmd-reply': { id: 'cmd-2026-11-29-001', ts: TS, v: 1, ok: true },
  'cmd-client-reply': { id: 'cmd-2026-11-29-001', ts: TS, v: 1, ok: true, data: { mode: 'lockdown', scopes: ['estate'] } },
};
{
  // The checkpoint signs the head of the chain above (seq 45).
  const unsigned = { ...envelope('c1a0-checkpoint'), seq: 45, hash: chainHead, kid: exampleGateway.kid };
  EXAMPLES.checkpoint = { ...unsigned, sig: exampleGateway.sign(unsigned) };
}

/** An accepted command's reply with a warning, shown beside the accepted one. */
export const WARNING_REPLY_EXAMPLE = {
  id: 'cmd-2026-11-29-006',
  ts: TS,
  v: 1,
  ok: true,
  data: { passId: 'exit-0042', returnBy: '2026-11-29T14:00:00Z' },
  warnings: ['subject 3q2-7wEVr1Tm8mYzGh2kTQ matches no roster card, visitor registration or recorded passage'],
};

/** A refused command's reply, shown beside the accepted one. */
export const REFUSED_REPLY_EXAMPLE = {
  id: 'cmd-2026-11-29-010',
  ts: TS,
  v: 1,
  ok: false,
  error: { code: 'GW_COMMAND_INVALID', message: 'invalid mode command', details: ['mode: expected one of normal, lockdown, emergency-open'] },
};
