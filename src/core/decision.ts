import type { ReasonCode } from './reasons.js';

/** What the lane does with a person or vehicle. `refer` hands the decision to the guard. */
export type Verdict = 'grant' | 'deny' | 'refer';

/** The outcome of the policy for one passage attempt. */
export interface Decision {
  verdict: Verdict;
  reasons: ReasonCode[];
  /** Name of the policy rule that produced the verdict, for the audit trail. */
  rule: string;
  policyVersion: string;
}
