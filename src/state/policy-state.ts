/**
 * The contract every state backend here implements. It is defined in the policy layer, which calls it
 * (`src/policy/policy-state.ts`); this module names it for the state layer and its users.
 */
export type * from '../policy/policy-state.js';
