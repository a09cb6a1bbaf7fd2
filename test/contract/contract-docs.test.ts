import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ed25519PublicKey, verifySignature } from '../../src/contract/signature.js';
import { CHANNELS, checkMessage } from '../../src/contract/channels.js';
import { expectedContractFiles } from '../../support/contract/contract-files.js';
import { EXAMPLE_MANAGER_PUBLIC_KEY, EXAMPLES, REFUSED_REPLY_EXAMPLE, WARNING_REPLY_EXAMPLE } from '../../support/contract/examples.js';
import { channelRoles } from '../../support/contract/roles.js';

const PREFIX = 'gatewarden/estate';
const topicOf = (address: string) => `${PREFIX}/${address.replace('{name}', 'lockdown').replace('{type}', 'fever').replace(/\{\w+\}/g, 'x')}`;

describe('the MQTT contract docs', () => {
  it('docs/asyncapi.yaml and the reference in docs/mqtt.md are generated from the code schemas (run npm run contract)', () => {
    for (const [path, expected] of Object.entries(expectedContractFiles())) expect(readFileSync(path, 'utf8'), path).toBe(expected);
  });

  it('has one valid example per channel, every payload with id, ts and v', () => {
    for (const channel of CHANNELS) {
      const example = EXAMPLES[channel.key];
      expect(example, channel.key).toBeDefined();
      expect(checkMessage(PREFIX, { topic: topicOf(channel.address), payload: JSON.stringify(example) }), channel.key).toEqual([]);
      expect(example).toMatchObject({ id: expect.any(String), ts: expect.any(String), v: 1 });
    }
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/cmd/mode/reply`, payload: JSON.stringify(REFUSED_REPLY_EXAMPLE) })).toEqual([]);
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/cmd/exit-pass/reply`, payload: JSON.stringify(WARNING_REPLY_EXAMPLE) })).toEqual([]);
    // A command sent to an unknown name is answered on that name's reply topic.
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/cmd/self-destruct/reply`, payload: JSON.stringify(REFUSED_REPLY_EXAMPLE) })).toEqual([]);
  });

  it('documents the approver as the only sender of exit passes, and what it may receive', () => {
    const roles = (key: string) => channelRoles(CHANNELS.find((channel) => channel.key === key)!);
    expect(roles('cmd-exit-pass').publish).toEqual(['approver']);
    expect(roles('cmd-revoke-pass').publish).toEqual(['guard', 'manager', 'approver']);
    expect(roles('cmd-lists').publish).not.toContain('approver');
    // The approver sees its own commands' replies and the state topics, not the rest of the command traffic (a roster names residents).
    expect(roles('cmd-reply').subscribe).toContain('approver');
    expect(roles('cmd-roster').subscribe).not.toContain('approver');
    expect(roles('alert').subscribe).toContain('approver');
  });

  it('shows a signed command that verifies with the documented key', () => {
    const signed = EXAMPLES['cmd-lockdown'] as Record<string, unknown>;
    expect(verifySignature(signed, signed.sig as string, ed25519PublicKey(EXAMPLE_MANAGER_PUBLIC_KEY))).toBe(true);
  });

  it('refuses unknown topics, retained flags on live-only topics and invalid payloads', () => {
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/nonsense`, payload: '{}' })).toEqual([`${PREFIX}/nonsense: not a topic of the contract`]);
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/alerts/unheard-of`, payload: JSON.stringify(EXAMPLES.alert) })).toHaveLength(1);
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/alerts/fever`, payload: JSON.stringify(EXAMPLES.alert), retain: true })[0]).toMatch(/never retained/);
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/status`, payload: 'not json' })).toEqual([`${PREFIX}/status: payload is not JSON`]);
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/health`, payload: JSON.stringify(EXAMPLES.health), qos: 1 })[0]).toMatch(/QoS 1, but health is QoS 0/);
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/status`, payload: JSON.stringify({ ...(EXAMPLES.status as object), v: 2 }) })[0]).toMatch(/v/);
    expect(checkMessage(PREFIX, { topic: `${PREFIX}/cmd/lockdown`, payload: JSON.stringify({ reason: 'r', by: 'b' }) })[0]).toMatch(/id/);
  });
});
