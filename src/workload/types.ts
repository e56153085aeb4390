// A workload is what the runner runs in each repetition; the contract is the runner's
// (run/types.ts), so the runner drives workloads without importing them.
export type { PreparedWorkload, RunContext, WorkloadOutcome } from '../run/types.js';
