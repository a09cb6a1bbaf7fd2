import type { PassageRecord } from '../core/lane-types.js';
import type { AnyDevice, Device, DeviceStatus } from '../drivers/device.js';
import type { EstateState } from '../estate/estate-state.js';
import type { LaneRunner, LaneSnapshot } from '../lane/lane-runner.js';
import { iso, isoOrNull, type DeviceView, type LaneView, type ModeView, type PassageView } from './schemas.js';

/** Turns the gateway's live state (lanes, devices, modes) into the API's resources. */

export interface Placement {
  gate: string;
  lane: string;
  slot: string;
}

export function passageView(passage: PassageRecord, outcome: string | null = null): PassageView {
  return {
    id: passage.id,
    at: iso(passage.at),
    gate: passage.gate,
    lane: passage.lane,
    direction: passage.direction,
    kind: passage.kind,
    credential: passage.credential,
    verdict: passage.decision.verdict,
    reasons: [...passage.decision.reasons],
    rule: passage.decision.rule,
    policyVersion: passage.decision.policyVersion,
    temperatureC: passage.temperatureC,
    mode: passage.mode,
    outcome,
  };
}

function deviceView(device: Pick<Device, 'id' | 'role' | 'noiseBytes'>, status: DeviceStatus, placement: Placement | undefined): DeviceView {
  return {
    id: device.id,
    role: device.role,
    availability: status.availability,
    since: iso(status.since),
    lastError: status.lastError ? { code: status.lastError.code, message: status.lastError.message, at: iso(status.lastError.at) } : null,
    gate: placement?.gate ?? null,
    lane: placement?.lane ?? null,
    slot: placement?.slot ?? null,
    noiseBytes: device.noiseBytes ?? null,
  };
}

export function laneView(snapshot: LaneSnapshot, gateName: string, estate: EstateState): LaneView {
  return {
    id: snapshot.id,
    gate: snapshot.gate,
    gateName,
    lane: snapshot.lane,
    kind: snapshot.kind,
    direction: snapshot.direction,
    phase: snapshot.phase,
    mode: estate.modeFor(snapshot.gate),
    lastPassage: snapshot.lastPassage ? passageView(snapshot.lastPassage) : null,
    lastReading: snapshot.lastReading ? { celsius: snapshot.lastReading.celsius, at: iso(snapshot.lastReading.at) } : null,
    devices: snapshot.devices.map((d) => deviceView(d, d.status, { gate: snapshot.gate, lane: snapshot.lane, slot: d.slot })),
  };
}

/** Where each device sits: the lane and slot that use it. */
export function placements(lanes: Iterable<LaneRunner>): Map<string, Placement> {
  const map = new Map<string, Placement>();
  for (const lane of lanes) {
    const snapshot = lane.snapshot();
    for (const device of snapshot.devices) map.set(device.id, { gate: snapshot.gate, lane: snapshot.lane, slot: device.slot });
  }
  return map;
}

export function devicesView(devices: Iterable<AnyDevice>, where: ReadonlyMap<string, Placement>): DeviceView[] {
  return [...devices].map((device) => deviceView(device, device.status(), where.get(device.id)));
}

export function modeView(estate: EstateState, gateIds: readonly string[]): ModeView {
  return {
    estate: estate.mode,
    gates: Object.fromEntries(gateIds.map((id) => [id, estate.modeFor(id)])),
    scopes: [...estate.activeModes()].map(([scope, state]) => ({
      scope,
      mode: state.mode,
      reason: state.reason,
      by: state.by,
      since: iso(state.since),
      expiresAt: isoOrNull(state.expiresAt),
      drill: state.drill,
    })),
  };
}
