import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { elfProblem, functionSymbols, usdtProbes } from '../../kernel/elf.js';
import { TRACEFS_PATH } from '../../kernel/tracefs.js';
import { parseProbe, probeBinary } from '../probes.js';
import type { WindowProbe } from '../types.js';
import type { Rule } from './context.js';

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** What is wrong with a probe on this machine, as far as it can be checked here; null when nothing. */
function probeProblem(p: WindowProbe, folder: string): string | null {
  if (p.kind === 'tracepoint') {
    // Without tracefs here the tracepoint cannot be looked up; the loader's attach will say.
    const events = [join(TRACEFS_PATH, 'events'), '/sys/kernel/debug/tracing/events'].find((d) => existsSync(d));
    if (events === undefined || existsSync(join(events, p.target, p.name))) return null;
    return `tracepoint ${p.target}:${p.name} does not exist on this kernel (not in ${events}): see \`ls ${events}/${p.target}\``;
  }
  const path = probeBinary(p.target, folder, (process.env.PATH ?? '').split(delimiter).filter(Boolean), isFile);
  if (path === null) return `binary "${p.target}" not found on PATH: give its path`;
  if (!isFile(path)) return `binary ${path} does not exist`;
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    return `cannot read binary ${path}: ${(e as Error).message}`;
  }
  const notElf = elfProblem(buf);
  // Which probes a binary this module cannot read holds stays unknown: the attach will tell.
  if (notElf !== null) return notElf === 'not an ELF file' ? `${path} is not an ELF binary: a probe needs compiled code` : null;
  if (p.kind === 'usdt') {
    const probes = usdtProbes(buf);
    if (probes.some((q) => q.provider === p.provider && q.name === p.name)) return null;
    const have = [...new Set(probes.map((q) => `${q.provider}:${q.name}`))].slice(0, 10).join(', ');
    return `${path} has no USDT probe ${p.provider ?? ''}:${p.name} (${have ? `it has ${have}` : 'it has no .note.stapsdt notes'})`;
  }
  const name = p.name.split('@')[0] ?? p.name;
  return functionSymbols(buf).has(name) ? null : `${path} has no function ${name} in .symtab or .dynsym`;
}

/** `collect.ebpf.window`: each probe well formed, its binary there and the probe in it where that can be checked. */
export const windowProbes: Rule = {
  name: 'window-probes',
  check(ctx) {
    for (const which of ['start', 'stop'] as const) {
      const path = ['collect', 'ebpf', 'window', which];
      const text = ctx.get(path);
      if (typeof text !== 'string' || text === '') continue;
      const parsed = parseProbe(text);
      if (!parsed.ok) {
        ctx.report(path, 'value', `${parsed.error} in collect.ebpf.window.${which}`);
        continue;
      }
      const problem = probeProblem(parsed.probe, ctx.options.folder ?? process.cwd());
      if (problem) ctx.report(path, 'value', `collect.ebpf.window.${which}: ${problem}`);
    }
  },
};
