// The collector contract is the runner's (run/types.ts), which drives collectors without
// importing them; collectors and the readers of their output name it from here.
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
