/**
 * Function symbols of an ELF file (.symtab and .dynsym) and of the running kernel
 * (/proc/kallsyms), and lookups of an address in them. Pure: the ELF parser reads through a
 * function given to it, so a test hands it a Buffer and the symbolizer a file descriptor.
 * Only 64-bit little-endian ELF is read (x86_64, aarch64: the machines kdelta's BPF runs on).
 */

export interface Sym {
  addr: number;
  size: number;
  name: string;
}

/** A PT_LOAD segment: file bytes [offset, offset + filesz) are mapped at vaddr. */
export interface LoadSegment {
  offset: number;
  vaddr: number;
  filesz: number;
}

export interface ElfSymbols {
  loads: LoadSegment[];
  /** Sorted by address, one per address. */
  symbols: Sym[];
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ByteReader = (offset: number, length: number) => Buffer;

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const PT_LOAD = 1;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
/** A symbol table larger than this is not read: it would cost more memory than the report is worth. */
const MAX_TABLE_BYTES = 256 * 1024 * 1024;

function u64(b: Buffer, at: number): number {
  return Number(b.readBigUInt64LE(at));
}

function cString(b: Buffer, at: number): string {
  if (at < 0 || at >= b.length) return '';
  const end = b.indexOf(0, at);
  return b.toString('latin1', at, end < 0 ? b.length : end);
}

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

function sectionsOf(read: ByteReader, head: Buffer): Section[] {
  const shoff = u64(head, 0x28);
  const shentsize = head.readUInt16LE(0x3a);
  const shnum = head.readUInt16LE(0x3c);
  if (shoff === 0 || shentsize < 64 || shnum === 0) return [];
  const table = read(shoff, shentsize * shnum);
  const out: Section[] = [];
  for (let i = 0; i < shnum && (i + 1) * shentsize <= table.length; i++) {
    const at = i * shentsize;
    out.push({ type: table.readUInt32LE(at + 4), offset: u64(table, at + 24), size: u64(table, at + 32), link: table.readUInt32LE(at + 40), entsize: u64(table, at + 56) });
  }
  return out;
}

function loadsOf(read: ByteReader, head: Buffer): LoadSegment[] {
  const phoff = u64(head, 0x20);
  const phentsize = head.readUInt16LE(0x36);
  const phnum = head.readUInt16LE(0x38);
  if (phoff === 0 || phentsize < 56) return [];
  const table = read(phoff, phentsize * phnum);
  const out: LoadSegment[] = [];
  for (let i = 0; i < phnum && (i + 1) * phentsize <= table.length; i++) {
    const at = i * phentsize;
    if (table.readUInt32LE(at) === PT_LOAD) out.push({ offset: u64(table, at + 8), vaddr: u64(table, at + 16), filesz: u64(table, at + 32) });
  }
  return out;
}

function symbolsOf(read: ByteReader, sections: Section[], table: Section): Sym[] {
  const strings = sections[table.link];
  if (!strings || table.size > MAX_TABLE_BYTES || strings.size > MAX_TABLE_BYTES) return [];
  const entsize = table.entsize >= 24 ? table.entsize : 24;
  const syms = read(table.offset, table.size);
  const names = read(strings.offset, strings.size);
  const out: Sym[] = [];
  for (let at = 0; at + 24 <= syms.length; at += entsize) {
    const type = syms.readUInt8(at + 4) & 0xf;
    const shndx = syms.readUInt16LE(at + 6);
    const addr = u64(syms, at + 8);
    if ((type !== STT_FUNC && type !== STT_GNU_IFUNC) || shndx === 0 || addr === 0) continue;
    const name = cString(names, syms.readUInt32LE(at));
    if (name) out.push({ addr, size: u64(syms, at + 16), name });
  }
  return out;
}

/** Function symbols and load segments of a 64-bit little-endian ELF file; null when it is not one. */
export function parseElfSymbols(read: ByteReader): ElfSymbols | null {
  const head = read(0, 64);
  if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return null;
  const sections = sectionsOf(read, head);
  const all: Sym[] = [];
  // .symtab first: where both name an address, its name (often the unversioned one) is kept.
  for (const type of [SHT_SYMTAB, SHT_DYNSYM]) {
    for (const s of sections.filter((x) => x.type === type)) all.push(...symbolsOf(read, sections, s));
  }
  return { loads: loadsOf(read, head), symbols: dedupeSorted(all) };
}

function dedupeSorted(all: Sym[]): Sym[] {
  const sorted = all.map((s, i) => ({ s, i })).sort((a, b) => a.s.addr - b.s.addr || b.s.size - a.s.size || a.i - b.i);
  const out: Sym[] = [];
  for (const { s } of sorted) if (out[out.length - 1]?.addr !== s.addr) out.push(s);
  return out;
}

/** The ELF virtual address a file offset is loaded at, or null when no PT_LOAD segment holds it. */
export function vaddrOfOffset(loads: readonly LoadSegment[], fileOffset: number): number | null {
  for (const l of loads) if (fileOffset >= l.offset && fileOffset < l.offset + l.filesz) return fileOffset - l.offset + l.vaddr;
  return null;
}

/** The index of the last symbol (sorted by address) at or below `addr`, -1 when there is none. */
function lastAtOrBelow<A extends number | bigint>(symbols: readonly { addr: A }[], addr: A): number {
  let lo = 0;
  let hi = symbols.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid]!.addr <= addr) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** The function holding `addr` (within its size; a size-0 symbol holds only its own address). */
export function lookupSymbol(symbols: readonly Sym[], addr: number): { name: string; offset: number } | null {
  const best = lastAtOrBelow(symbols, addr);
  const s = symbols[best];
  if (!s) return null;
  const offset = addr - s.addr;
  return offset < Math.max(s.size, 1) ? { name: s.name, offset } : null;
}

export interface KernelSym {
  addr: bigint;
  name: string;
  /** The module, `bpf` for BPF programs; absent for the kernel image. */
  module?: string;
}

/**
 * /proc/kallsyms' text symbols, sorted. Kernel addresses pass 2^53, so they stay bigints.
 * Under kptr_restrict every address reads 0 and nothing is kept.
 */
export function parseKallsyms(text: string): KernelSym[] {
  const out: KernelSym[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+) ([tTwW]) (\S+)(?:\s+\[(\S+)\])?/u.exec(line);
    if (!m) continue;
    const addr = BigInt(`0x${m[1]!}`);
    if (addr === 0n) continue;
    out.push({ addr, name: m[3]!, ...(m[4] !== undefined && { module: m[4] }) });
  }
  return out.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}

/** `name+0xOFF` (with ` [module]`) for a kernel address, or null before the first symbol. */
export function lookupKernel(symbols: readonly KernelSym[], addr: bigint): string | null {
  const best = lastAtOrBelow(symbols, addr);
  const s = symbols[best];
  // Past the last symbol is past the kernel text: an address there names nothing known.
  if (!s || best === symbols.length - 1) return null;
  return `${s.name}+0x${(addr - s.addr).toString(16)}${s.module ? ` [${s.module}]` : ''}`;
}
