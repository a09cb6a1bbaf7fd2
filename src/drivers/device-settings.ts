import { Type, type Static } from '@sinclair/typebox';
import { Id, StringEnum } from '../schema/types.js';
import { ProfileDeviceSettings } from './profile-device-settings.js';

export const VirtualDeviceSettings = Type.Object(
  {
    id: Id,
    role: StringEnum(['scanner', 'thermometer', 'barrier', 'indicator', 'announcer'] as const),
    driver: Type.Literal('virtual'),
  },
  { additionalProperties: false },
);
export type VirtualDeviceSettings = Static<typeof VirtualDeviceSettings>;

/**
 * A device is virtual or driven by a profile from `devices/`. Chosen by
 * `driver` with if/then/else rather than a union, so an error names the key of
 * the one branch that applies instead of listing both.
 */
export const DeviceSettings = Type.Unsafe<VirtualDeviceSettings | ProfileDeviceSettings>({
  type: 'object',
  required: ['driver'],
  if: { properties: { driver: { const: 'profile' } } },
  then: ProfileDeviceSettings,
  else: {
    if: { properties: { driver: { const: 'virtual' } } },
    then: VirtualDeviceSettings,
    else: { properties: { driver: StringEnum(['virtual', 'profile'] as const) } },
  },
});
export type DeviceSettings = Static<typeof DeviceSettings>;
