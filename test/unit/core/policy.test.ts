import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/policy.js';
import { factsOf, POLICY_CASES, type PolicyCase } from './fixtures/policy-cases.js';

describe('decide: the policy table', () => {
  it.each(POLICY_CASES.map((c): [string, PolicyCase] => [c.name, c]))('%s', (_name, { given, verdict, reasons, rule }) => {
    expect(decide(factsOf(given), 'policy-7')).toEqual({ verdict, reasons, rule, policyVersion: 'policy-7' });
  });
});

describe('decide: how findings combine', () => {
  it('lists a reason once even when several findings carry it', () => {
    const facts = factsOf({ credential: 'expired' });
    const twice = { ...facts, credential: { ...facts.credential, problems: [...facts.credential.problems, ...facts.credential.problems] } };
    expect(decide(twice, 'p').reasons).toEqual(['CODE_EXPIRED']);
  });

  it('a refusal drops the grant reasons but keeps FEVER_SOFT, so the fever is never lost', () => {
    expect(decide(factsOf({ enforcement: 'soft', temperature: { kind: 'fever', celsius: 38 }, deviceFault: true }), 'p')).toMatchObject({
      verdict: 'refer',
      reasons: ['DEVICE_FAULT', 'FEVER_SOFT'],
    });
  });

});
