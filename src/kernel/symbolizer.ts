import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { lookupKernel, lookupSymbol, parseElfSymbols, parseKallsyms, vaddrOfOffset, type ElfSymbols, type KernelSym } from './symbols.js';

/** One executable mapping of a process, as /proc/PID/maps had it when the event came. */
export interface Mapping {
  start: number;
  end: number;
  /** File offset of `start`. */
  offset: number;
  path: string;
}

/** An ELF file's symbols, read through its descriptor; null for what is not a readable ELF file. */
export function elfFromFile(path: string): ElfSymbols | null {
  // Anonymous and special mappings ([vdso], [heap]) and files replaced since they were mapped.
  if (!path.startsWith('/') || path.endsWith(' (deleted)')) return null;
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const own = fd;
    return parseElfSymbols((offset, length) => {
      const n = Math.max(0, Math.min(length, size - offset));
      const b = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const r = readSync(own, b, got, n - got, offset + got);
        if (r <= 0) break;
        got += r;
      }
      return b.subarray(0, got);
    });
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/**
 * Turns stack addresses into `symbol+0xOFF (file)`, caching each file's symbols and the
 * kernel's. A frame with no symbol stays its hex address (with the file and offset where the
 * mapping is known), so nothing is invented.
 */
export class Symbolizer {
  private readonly files = new Map<string, ElfSymbols | null>();
  private kernel: KernelSym[] | null = null;

  constructor(
    private readonly kallsyms: () => string = () => readFileSync('/proc/kallsyms', 'utf8'),
    private readonly elf: (path: string) => ElfSymbols | null = elfFromFile,
  ) {}

  private fileSymbols(path: string): ElfSymbols | null {
    if (!this.files.has(path)) this.files.set(path, this.elf(path));
    return this.files.get(path) ?? null;
  }

  /** `name+0xOFF (file)`, or null when the address is in no known mapping or no symbol of it. */
  private resolve(addr: number, maps: readonly Mapping[], returnAddress: boolean): { text: string; symbol: boolean } | null {
    const m = maps.find((x) => addr >= x.start && addr < x.end);
    if (!m) return null;
    const fileOffset = addr - m.start + m.offset;
    const image = this.fileSymbols(m.path);
    const vaddr = image ? vaddrOfOffset(image.loads, fileOffset) : null;
    // A return address points after its call, which may be the first byte of the next function.
    const sym = image && vaddr !== null ? lookupSymbol(image.symbols, returnAddress ? vaddr - 1 : vaddr) : null;
    const file = basename(m.path);
    if (!sym) return { text: `${hex(addr)} (${file}+${hex(fileOffset)})`, symbol: false };
    return { text: `${sym.name}+${hex(sym.offset + (returnAddress ? 1 : 0))} (${file})`, symbol: true };
  }

  /**
   * User frames, innermost first. `top` is the word at the stack pointer: when it resolves to a
   * function that the frame-pointer walk did not give as the next frame, it is shown there with
   * a leading `? ` (kernel oops style: probably the caller of a wrapper without a frame).
   */
  user(frames: readonly number[], top: number, maps: readonly Mapping[]): string[] {
    const out = frames.map((a, i) => this.resolve(a, maps, i > 0)?.text ?? hex(a));
    if (top !== 0 && frames.length > 0) {
      const t = this.resolve(top, maps, true);
      const next = frames[1] !== undefined ? this.resolve(frames[1], maps, true) : null;
      const sameFunction = next !== null && t !== null && next.text.split('+')[0] === t.text.split('+')[0];
      if (t?.symbol && !sameFunction) out.splice(1, 0, `? ${t.text}`);
    }
    return out;
  }

  /** Kernel frames, innermost first; /proc/kallsyms is read once, at the first call. */
  kernelFrames(frames: readonly bigint[]): string[] {
    if (frames.length === 0) return [];
    if (this.kernel === null) {
      try {
        this.kernel = parseKallsyms(this.kallsyms());
      } catch {
        this.kernel = [];
      }
    }
    const symbols = this.kernel;
    return frames.map((a) => lookupKernel(symbols, a) ?? hex(a));
  }
}
