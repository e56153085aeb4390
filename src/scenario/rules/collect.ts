import { syscallTableFor, type SyscallArch } from '../../kernel/syscalls/table.js';
import { SYSCALL_NAME_PATTERN } from '../schema.js';
import { closestMatch } from '../suggest.js';
import type { Rule } from './context.js';

/** A collector listed under require but switched off could never run. */
export const requiredCollectorsOn: Rule = {
  name: 'required-collectors-on',
  check(ctx) {
    const collect = ctx.record(['collect']);
    if (!collect) return;
    ctx.list(['collect', 'require']).forEach((name, i) => {
      if ((name === 'proc' || name === 'ebpf') && collect[name] === false) {
        ctx.report(['collect', 'require', String(i)], 'value', `collect.require lists ${name} but collect.${name} is false`);
      }
      if (name === 'events' && ctx.record(['collect', 'ebpf', 'syscalls', 'events']) === undefined) {
        ctx.report(['collect', 'require', String(i)], 'value', 'collect.require lists events but collect.ebpf.syscalls.events is not set');
      }
    });
  },
};

const ARCHES: readonly SyscallArch[] = ['x86_64', 'aarch64'];

const SYSCALL_NAME = new RegExp(SYSCALL_NAME_PATTERN, 'u');
const namesByArch = new Map<string, Set<string> | null>();

function namesOf(arch: string): Set<string> | null {
  let names = namesByArch.get(arch);
  if (names === undefined) {
    const table = syscallTableFor(arch);
    names = table ? new Set(Object.values(table)) : null;
    namesByArch.set(arch, names);
  }
  return names;
}

function syscallProblem(name: string, list: string, names: Set<string>, arch: string | null): string | null {
  if (names.has(name)) return null;
  const where = `collect.ebpf.syscalls.${list}`;
  const elsewhere = ARCHES.filter((a) => namesOf(a)?.has(name));
  const hint = name.length <= 64 ? closestMatch(name, [...names]) : null;
  const instead = hint ? ` (did you mean "${hint}"?)` : '';
  if (arch !== null && elsewhere.length > 0) {
    return `syscall "${name}" in ${where} does not exist on ${arch}, only on ${elsewhere.join(', ')}${instead}: remove it, or list the ${arch} call`;
  }
  return `unknown syscall "${name}" in ${where}${instead}: use the kernel's name, e.g. read, futex, epoll_wait`;
}

/**
 * Syscall names must be in the syscall table of the machine kdelta runs on, which is where the
 * eBPF program is built from them. On an architecture without a table, any known name passes
 * here and the run says it cannot time syscalls.
 */
export const syscallNames: Rule = {
  name: 'syscall-names',
  check(ctx) {
    const own = namesOf(ctx.options.arch);
    const names = own ?? new Set(ARCHES.flatMap((a) => [...(namesOf(a) ?? [])]));
    const arch = own ? ctx.options.arch.replace(/^x64$/u, 'x86_64').replace(/^arm64$/u, 'aarch64') : null;
    for (const list of ['include', 'exclude'] as const) {
      ctx.list(['collect', 'ebpf', 'syscalls', list]).forEach((name, i) => {
        // A name of the wrong shape is the schema's to report.
        if (typeof name !== 'string' || !SYSCALL_NAME.test(name)) return;
        const problem = syscallProblem(name, list, names, arch);
        if (problem) ctx.report(['collect', 'ebpf', 'syscalls', list, String(i)], 'value', problem);
      });
    }
  },
};
