import type { DeviceProfile } from '../../src/drivers/profile/profile-schema.js';
import { encodeRegisters } from '../../src/drivers/modbus/register-codec.js';
import type { RegisterBank } from './register-bank.js';

/**
 * Puts a body temperature into a simulated thermometer's registers exactly as
 * the profile's register map and compensation would decode it.
 */
export function setTemperature(bank: RegisterBank, profile: DeviceProfile, celsius: number): void {
  const reading = profile.reading;
  if (!reading) throw new Error(`${profile.model} has no register map`);
  const gain = profile.compensation?.gain ?? 1;
  const measured = (celsius - (profile.compensation?.offset ?? 0)) / gain;
  bank.setRegisters(reading.function, reading.address, encodeRegisters(measured, reading));
}

/** Sets the passage sensor input of a relay-board barrier (true: someone in the passage). */
export function setPassageSensor(bank: RegisterBank, profile: DeviceProfile, occupied: boolean): void {
  const relay = profile.relay;
  if (relay?.passageInput === undefined) throw new Error(`${profile.model} has no passage sensor`);
  bank.discreteInputs.set(relay.passageInput, occupied === relay.passageActiveHigh);
}
