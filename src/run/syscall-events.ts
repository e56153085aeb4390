/**
 * Slow system calls as events (`collect.ebpf.syscalls.events`): what the events collector hands
 * the runner per repetition and the report keeps per scenario. Stack frames are strings,
 * `symbol+0x1c (file)` where a symbol was found and the bare hex address where none was.
 */
export interface SlowCall {
  /** ns from the repetition's start to the call's entry. */
  t: number;
  pid: number;
  tid: number;
  /** The thread's name, as the kernel had it: anyone's bytes. */
  comm: string;
  syscall: string;
  nr: number;
  durationNs: number;
  ret: number;
  /** Innermost first. */
  user: string[];
  kernel: string[];
}

export interface SlowCallRepetition {
  /** 1-based counted repetition. */
  repetition: number;
  /** Calls over the threshold in the repetition. */
  seen: number;
  /** Of those, not kept because `max` were already (exact). */
  dropped: number;
  /** Kept but lost on the way (the ring buffer was full). */
  lost: number;
  events: SlowCall[];
}

export interface SlowCallEvents {
  overNs: number;
  max: number;
  stacks: boolean;
  repetitions: SlowCallRepetition[];
}
