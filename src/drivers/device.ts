/**
 * The interfaces every device driver implements, virtual or real. A lane only
 * ever sees these, so swapping a virtual thermometer for a Modbus one changes
 * configuration, not code.
 */

import type { Clip, ClipCatalogue } from './announcer/announcer-clips.js';

export type DeviceRole = 'scanner' | 'thermometer' | 'barrier' | 'plate-reader' | 'indicator' | 'announcer';

export type Availability = 'online' | 'degraded' | 'offline';

export interface DeviceStatus {
  availability: Availability;
  /** Coded error of the last failure, for example `GW_DEVICE_TIMEOUT`. */
  lastError?: { code: string; message: string; at: number };
  since: number;
}

export type Listener<T> = (value: T) => void;

/** Common to all devices: lifecycle and health. */
export interface Device {
  readonly id: string;
  readonly role: DeviceRole;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): DeviceStatus;
  onStatus(listener: Listener<DeviceStatus>): void;
  /** Bytes dropped as noise since start, on a device that reads a byte line of its own (line-device.ts). */
  readonly noiseBytes?: number;
}

/** A code or card scanner: emits one decoded frame per scan. */
export interface Scanner extends Device {
  readonly role: 'scanner';
  onCode(listener: Listener<{ code: string; at: number }>): void;
}

/** A licence-plate reader on a vehicle lane; in the lane's scanner slot each plate is a code. */
export interface PlateReader extends Device {
  readonly role: 'plate-reader';
  onPlate(listener: Listener<{ plate: string; at: number }>): void;
  onCode(listener: Listener<{ code: string; at: number }>): void;
}

/**
 * A body-temperature sensor. `measure()` asks for a fresh reading (a trigger);
 * push-only devices ignore it and report when they measure.
 */
export interface Thermometer extends Device {
  readonly role: 'thermometer';
  /**
   * How often the device refreshes the value it reports, when the gateway polls
   * a register; 0 when each reading is a new measurement. The lane confirms a
   * fever only on a new sample.
   */
  readonly sampleRefreshMs: number;
  measure(): void;
  onReading(listener: Listener<{ celsius: number; at: number }>): void;
}

/**
 * A barrier, turnstile or door. `release()` resolves once the controller has
 * acknowledged the release and rejects when it did not. A passage sensor, when
 * fitted, reports people or vehicles going through.
 */
export interface Barrier extends Device {
  readonly role: 'barrier';
  readonly hasPassageSensor: boolean;
  release(): Promise<void>;
  /** Hold open until `lock()` (emergency-open). */
  holdOpen(): Promise<void>;
  lock(): Promise<void>;
  onPassage(listener: Listener<{ at: number }>): void;
}

export type IndicatorSignal = 'idle' | 'grant' | 'deny' | 'refer' | 'busy';

/** Lights and buzzer beside the lane. */
export interface Indicator extends Device {
  readonly role: 'indicator';
  show(signal: IndicatorSignal): Promise<void>;
}

/**
 * The lane's voice: a UART voice module or a local player. `play()` never
 * throws and never waits for the clip: a module that does not answer or a
 * player that is missing shows in the device's status, not in the lane.
 */
export interface Announcer extends Device {
  readonly role: 'announcer';
  /** The catalogue its clips are numbered by; the lane chooses from it. */
  readonly clips: ClipCatalogue;
  play(clip: Clip): void;
}

export type AnyDevice = Scanner | PlateReader | Thermometer | Barrier | Indicator | Announcer;
