/**
 * The little of ELF that checking a probe needs: the USDT notes (`.note.stapsdt`) and the
 * function symbols (`.symtab`, `.dynsym`) of a 64-bit little-endian binary (x86_64, aarch64).
 * Pure: every function reads a Buffer the caller has read.
 */

export interface ElfSection {
  name: string;
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface UsdtProbe {
  provider: string;
  name: string;
}

const SHT_SYMTAB = 2;
const SHT_NOTE = 7;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const NT_STAPSDT = 3;

/** Why a buffer is not an ELF this module reads, or null when it is one. */
export function elfProblem(buf: Buffer): string | null {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF file';
  if (buf[4] !== 2) return 'a 32-bit ELF file (only 64-bit binaries are read)';
  if (buf[5] !== 1) return 'a big-endian ELF file (only little-endian binaries are read)';
  return null;
}

function cstr(buf: Buffer, at: number, end = buf.length): string {
  let stop = at;
  while (stop < end && buf[stop] !== 0) stop++;
  return buf.toString('utf8', at, stop);
}

/** The section headers with their names, or null when `buf` is not a 64-bit little-endian ELF. */
export function elfSections(buf: Buffer): ElfSection[] | null {
  if (elfProblem(buf) !== null) return null;
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const shstrndx = buf.readUInt16LE(0x3e);
  if (shoff === 0 || shentsize < 64 || shoff + shnum * shentsize > buf.length) return null;
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameAt: buf.readUInt32LE(at),
      type: buf.readUInt32LE(at + 4),
      offset: Number(buf.readBigUInt64LE(at + 0x18)),
      size: Number(buf.readBigUInt64LE(at + 0x20)),
      link: buf.readUInt32LE(at + 0x28),
      entsize: Number(buf.readBigUInt64LE(at + 0x38)),
    };
  });
  const names = raw[shstrndx];
  return raw.map((s) => ({
    name: names && names.offset + s.nameAt < buf.length ? cstr(buf, names.offset + s.nameAt, names.offset + names.size) : '',
    type: s.type,
    offset: s.offset,
    size: s.size,
    link: s.link,
    entsize: s.entsize,
  }));
}

const inside = (buf: Buffer, s: ElfSection): boolean => s.offset + s.size <= buf.length;

/** Every USDT probe in the `.note.stapsdt` notes, in file order (a probe used twice appears twice). */
export function usdtProbes(buf: Buffer): UsdtProbe[] {
  const out: UsdtProbe[] = [];
  for (const s of elfSections(buf) ?? []) {
    if (s.type !== SHT_NOTE || s.name !== '.note.stapsdt' || !inside(buf, s)) continue;
    const end = s.offset + s.size;
    let at = s.offset;
    while (at + 12 <= end) {
      const namesz = buf.readUInt32LE(at);
      const descsz = buf.readUInt32LE(at + 4);
      const type = buf.readUInt32LE(at + 8);
      const nameAt = at + 12;
      const descAt = nameAt + ((namesz + 3) & ~3);
      const next = descAt + ((descsz + 3) & ~3);
      if (next > end) break;
      // desc: pc, base and semaphore addresses (8 bytes each), then provider, name, arguments.
      if (type === NT_STAPSDT && cstr(buf, nameAt, descAt) === 'stapsdt' && descsz > 24) {
        const provider = cstr(buf, descAt + 24, descAt + descsz);
        const name = cstr(buf, descAt + 24 + Buffer.byteLength(provider) + 1, descAt + descsz);
        out.push({ provider, name });
      }
      at = next;
    }
  }
  return out;
}

/** The names of the function symbols in `.symtab` and `.dynsym` (a stripped binary keeps only the latter). */
export function functionSymbols(buf: Buffer): Set<string> {
  const out = new Set<string>();
  const sections = elfSections(buf) ?? [];
  for (const s of sections) {
    if ((s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) || s.entsize < 24 || !inside(buf, s)) continue;
    const strtab = sections[s.link];
    if (!strtab || !inside(buf, strtab)) continue;
    for (let at = s.offset; at + 24 <= s.offset + s.size; at += s.entsize) {
      const type = (buf[at + 4] ?? 0) & 0xf;
      const shndx = buf.readUInt16LE(at + 6);
      // Undefined symbols (shndx 0) are imports: a uprobe needs the function's code in this file.
      if ((type !== STT_FUNC && type !== STT_GNU_IFUNC) || shndx === 0) continue;
      const nameAt = buf.readUInt32LE(at);
      if (nameAt > 0 && nameAt < strtab.size) out.add(cstr(buf, strtab.offset + nameAt, strtab.offset + strtab.size));
    }
  }
  return out;
}
