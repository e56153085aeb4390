// The collector contract is the runner's (run/types.ts), which drives collectors without
// importing them; collectors and the readers of their output name it from here.
//
// A collector is a `CollectorKind` in its own module (ebpf/kind.ts, proc/kind.ts): its name,
// the metric patterns it provides (doctor, the verdicts and the report read them there),
// whether it can run on a machine, and a factory for one scenario's `CollectorSession`.
// Listing it in registry.ts is what makes `kdelta run` start it.
export type {
  Availability,
  CgroupRef,
  CollectorKind,
  CollectorSession,
  CollectorStatus,
  IrqTable,
  RepetitionCapture,
  RepetitionRef,
  TaskSet,
} from '../run/types.js';
