import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Announcer, AnyDevice, Barrier, Indicator, Scanner, Thermometer } from '../drivers/device.js';
import type { DevicePlacement } from '../estate/device-monitor.js';
import type { EstateState } from '../estate/estate-state.js';
import type { EventBus } from '../event-bus.js';
import type { Journal } from '../store/journal.js';
import { LaneRunner, type LaneDevices } from './lane-runner.js';
import { laneSetup, type GateSettings, type LanePolicy, type LaneSlots } from './lane-setup.js';

export interface BuildLanesDeps {
  devices: ReadonlyMap<string, AnyDevice>;
  estate: EstateState;
  journal: Journal;
  events: EventBus;
  clock: Clock;
  log: Logger;
}

/**
 * One runner per configured lane, on the devices its slots name (the config
 * check made sure each exists and has the slot's role), and where each device
 * sits, for the device-fault alerts. Nothing is started.
 */
export function buildLanes(gates: readonly GateSettings[], policy: LanePolicy, deps: BuildLanesDeps): { lanes: Map<string, LaneRunner>; placement: DevicePlacement } {
  const lanes = new Map<string, LaneRunner>();
  const placement = new Map<string, { gate: string; lane: string }>();
  for (const gate of gates) {
    for (const lane of gate.lanes) {
      const devices = laneDevices(lane.devices, deps.devices);
      const runner = new LaneRunner({
        setup: laneSetup(policy, gate.id, lane, { hasPassageSensor: devices.barrier.hasPassageSensor, sampleRefreshMs: devices.thermometer?.sampleRefreshMs ?? 0 }),
        scannerDirection: lane.direction === 'out' ? 'out' : 'in',
        devices,
        estate: deps.estate,
        journal: deps.journal,
        events: deps.events,
        clock: deps.clock,
        log: deps.log,
      });
      lanes.set(runner.id, runner);
      for (const id of Object.values(lane.devices)) if (id !== undefined) placement.set(id, { gate: gate.id, lane: lane.id });
    }
  }
  return { lanes, placement };
}

function laneDevices(slots: LaneSlots, devices: ReadonlyMap<string, AnyDevice>): LaneDevices {
  const get = <T extends AnyDevice>(id: string | undefined) => (id === undefined ? undefined : (devices.get(id) as T | undefined));
  return {
    scanner: get<Scanner>(slots.scanner) as Scanner,
    barrier: get<Barrier>(slots.barrier) as Barrier,
    ...optional('exitScanner', get<Scanner>(slots.exitScanner)),
    ...optional('codeScanner', get<Scanner>(slots.codeScanner)),
    ...optional('thermometer', get<Thermometer>(slots.thermometer)),
    ...optional('indicator', get<Indicator>(slots.indicator)),
    ...optional('announcer', get<Announcer>(slots.announcer)),
  };
}

function optional<K extends string, T>(key: K, value: T | undefined): Partial<Record<K, T>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, T>);
}
