import { SYSCALLS_AARCH64 } from './aarch64.js';
import { SYSCALLS_X86_64 } from './x86_64.js';

export type SyscallArch = 'x86_64' | 'aarch64';

/** The syscall table of an architecture as `uname -m` / process.arch spell it, or null when we have none. */
export function syscallTableFor(arch: string): Readonly<Record<number, string>> | null {
  switch (arch) {
    case 'x86_64':
    case 'x64':
      return SYSCALLS_X86_64;
    case 'aarch64':
    case 'arm64':
      return SYSCALLS_AARCH64;
    default:
      return null;
  }
}

/** The name of a syscall number; unknown numbers (newer kernels) get `sys<N>` so they are still reported. */
export function syscallName(table: Readonly<Record<number, string>>, id: number): string {
  return table[id] ?? `sys${id}`;
}

/** name -> number for a table (for include/exclude lists). */
export function syscallNumbers(table: Readonly<Record<number, string>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, name] of Object.entries(table)) out.set(name, Number(id));
  return out;
}

/**
 * Calls that wait by design: their time is the workload's idle time, not kernel cost, so
 * `exclude_blocking` leaves them out of the `syscall.all.*` totals (kernel_delay's
 * "TOTAL( - poll)"). They are still reported one by one.
 */
export const BLOCKING_SYSCALLS: ReadonlySet<string> = new Set([
  'poll',
  'ppoll',
  'select',
  'pselect6',
  'epoll_wait',
  'epoll_pwait',
  'epoll_pwait2',
  'futex',
  'futex_wait',
  'futex_waitv',
  'nanosleep',
  'clock_nanosleep',
  'pause',
  'wait4',
  'waitid',
  'rt_sigsuspend',
  'rt_sigtimedwait',
  'sigsuspend',
  'io_getevents',
  'io_pgetevents',
  'io_uring_enter',
  'msgrcv',
  'semop',
  'semtimedop',
  'mq_timedreceive',
  'accept',
  'accept4',
]);
