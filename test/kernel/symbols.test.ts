import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { elfFromFile, Symbolizer, type Mapping } from '../../src/kernel/symbolizer.js';
import { lookupKernel, lookupSymbol, parseElfSymbols, parseKallsyms, vaddrOfOffset, type ElfSymbols } from '../../src/kernel/symbols.js';

// A real binary, compiled here: two functions of known names, one static (in .symtab only).
const SOURCE = `
static int __attribute__((noinline)) kd_static_helper(int x) { return x * 3 + 1; }
int __attribute__((noinline)) kd_exported_function(int x) { return kd_static_helper(x) + 2; }
int main(int argc, char **argv) { (void)argv; return kd_exported_function(argc) > 100; }
`;

let dir: string;
let binary: string;
let nm: Map<string, { addr: number; size: number }>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdelta-symbols-'));
  writeFileSync(join(dir, 'prog.c'), SOURCE);
  binary = join(dir, 'prog');
  execFileSync('cc', ['-O1', '-o', binary, join(dir, 'prog.c')]);
  // nm (binutils, which every cc here comes with) is the reference the parser is held to.
  nm = new Map();
  for (const line of execFileSync('nm', ['-S', '--defined-only', binary], { encoding: 'utf8' }).split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) [tT] (\S+)$/u.exec(line);
    if (m) nm.set(m[3]!, { addr: Number.parseInt(m[1]!, 16), size: Number.parseInt(m[2]!, 16) });
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reader = (b: Buffer) => (offset: number, length: number) => b.subarray(offset, offset + length);

describe('ELF function symbols', () => {
  test('reads every function nm lists, with its address and size, static ones included', () => {
    const elf = parseElfSymbols(reader(readFileSync(binary)))!;
    expect(elf).not.toBeNull();
    for (const name of ['main', 'kd_exported_function', 'kd_static_helper']) {
      const want = nm.get(name);
      expect(want, `nm lists ${name}`).toBeDefined();
      expect(elf.symbols.find((s) => s.name === name)).toEqual({ name, ...want });
    }
  });

  test('finds the function holding an address inside it, and none past its end', () => {
    const elf = elfFromFile(binary)!;
    const f = nm.get('kd_exported_function')!;
    expect(lookupSymbol(elf.symbols, f.addr)).toEqual({ name: 'kd_exported_function', offset: 0 });
    expect(lookupSymbol(elf.symbols, f.addr + f.size - 1)).toEqual({ name: 'kd_exported_function', offset: f.size - 1 });
    const after = lookupSymbol(elf.symbols, f.addr + f.size);
    expect(after?.name).not.toBe('kd_exported_function');
    expect(lookupSymbol(elf.symbols, 1)).toBeNull();
  });

  test('maps a file offset to its virtual address through the PT_LOAD segments', () => {
    const elf = elfFromFile(binary)!;
    const text = elf.loads.find((l) => l.offset > 0 && l.vaddr !== l.offset) ?? elf.loads[1]!;
    expect(vaddrOfOffset(elf.loads, text.offset + 4)).toBe(text.vaddr + 4);
    expect(vaddrOfOffset(elf.loads, 1e12)).toBeNull();
  });

  test("reads the dynamic symbols of node's own executable", () => {
    const elf = elfFromFile(process.execPath)!;
    expect(elf.symbols.some((s) => s.name === 'napi_create_object')).toBe(true);
  }, 30_000);

  test('is not fooled by what is not a 64-bit little-endian ELF file', () => {
    expect(parseElfSymbols(reader(Buffer.from('#!/bin/sh\necho hi\n')))).toBeNull();
    expect(parseElfSymbols(reader(Buffer.alloc(10)))).toBeNull();
    expect(elfFromFile('/nonexistent/file')).toBeNull();
    expect(elfFromFile('[vdso]')).toBeNull();
    expect(elfFromFile('/usr/bin/ls (deleted)')).toBeNull();
  });
});

const KALLSYMS = `ffffffff81000000 T _stext
ffffffff81000100 t do_one_thing
ffffffff81000200 T syscall_exit_work
ffffffff81000300 d some_data
ffffffff81000400 T _etext
ffffffffc0001000 t bpf_prog_0123456789abcdef_ev_exit\t[bpf]
ffffffffc0002000 t end_of_bpf\t[bpf]
`;

describe('/proc/kallsyms', () => {
  test('keeps text symbols with their module, sorted, as exact bigints', () => {
    const syms = parseKallsyms(KALLSYMS);
    expect(syms.map((s) => s.name)).toEqual(['_stext', 'do_one_thing', 'syscall_exit_work', '_etext', 'bpf_prog_0123456789abcdef_ev_exit', 'end_of_bpf']);
    expect(syms[4]).toEqual({ addr: 0xffffffffc0001000n, name: 'bpf_prog_0123456789abcdef_ev_exit', module: 'bpf' });
  });

  test('names an address by the symbol below it, with the offset', () => {
    const syms = parseKallsyms(KALLSYMS);
    expect(lookupKernel(syms, 0xffffffff81000234n)).toBe('syscall_exit_work+0x34');
    expect(lookupKernel(syms, 0xffffffffc0001010n)).toBe('bpf_prog_0123456789abcdef_ev_exit+0x10 [bpf]');
    expect(lookupKernel(syms, 0xffffffff80000000n)).toBeNull();
    expect(lookupKernel(syms, 0xffffffffc0003000n)).toBeNull();
  });

  test('keeps nothing under kptr_restrict, where every address reads 0', () => {
    expect(parseKallsyms('0000000000000000 T _stext\n0000000000000000 t foo\n')).toEqual([]);
  });
});

describe('Symbolizer', () => {
  const image: ElfSymbols = {
    loads: [{ offset: 0x1000, vaddr: 0x401000, filesz: 0x1000 }],
    symbols: [
      { addr: 0x401100, size: 0x40, name: 'leaf_wrapper' },
      { addr: 0x401200, size: 0x40, name: 'caller' },
      { addr: 0x401300, size: 0x40, name: 'outer' },
    ],
  };
  const maps: Mapping[] = [{ start: 0x7000_0000, end: 0x7000_1000, offset: 0x1000, path: '/opt/app/bin/prog' }];
  const at = (vaddr: number): number => vaddr - 0x401000 + 0x7000_0000;
  const s = new Symbolizer(() => KALLSYMS, (path) => (path === '/opt/app/bin/prog' ? image : null));

  test('names user frames by file and symbol; a return address is looked up one byte back', () => {
    // 0x401240 is one past caller's last byte: as a return address it is still in caller.
    expect(s.user([at(0x401110), at(0x401240)], 0, maps)).toEqual(['leaf_wrapper+0x10 (prog)', 'caller+0x40 (prog)']);
  });

  test('keeps frames it cannot name as hex, with the file offset where the mapping is known', () => {
    expect(s.user([at(0x401500), 0x1234], 0, maps)).toEqual([`0x${at(0x401500).toString(16)} (prog+0x1500)`, '0x1234']);
  });

  test('puts the word at the stack pointer in as a marked frame when it names a function the walk skipped', () => {
    expect(s.user([at(0x401110), at(0x401320)], at(0x401210), maps)).toEqual(['leaf_wrapper+0x10 (prog)', '? caller+0x10 (prog)', 'outer+0x20 (prog)']);
    // Not when it is the next frame's function, nor when it names nothing.
    expect(s.user([at(0x401110), at(0x401220)], at(0x401210), maps)).toHaveLength(2);
    expect(s.user([at(0x401110)], 0xdead, maps)).toHaveLength(1);
  });

  test('names kernel frames from kallsyms', () => {
    expect(s.kernelFrames([0xffffffff81000210n, 0x10n])).toEqual(['syscall_exit_work+0x10', '0x10']);
  });
});
