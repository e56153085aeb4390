import { emptyDump, parseLoaderLine, type Dump, type ReadyLine } from './dump.js';
import { PipeLoader } from './pipe-loader.js';

export { killBpfChildrenSync } from './pipe-loader.js';

/** The line protocol with helpers/bin/kdelta-bpf: a ready line, then `admit` and `dump` answered in order. */
export class LoaderChannel extends PipeLoader {
  private current = emptyDump();
  ready: ReadyLine | null = null;

  constructor(loader: string, args: string[]) {
    super(loader, args, 'eBPF capture (libbpf)', 'run `kdelta doctor`; set KDELTA_EBPF=bpftrace to use the bpftrace capture');
  }

  dump(timeoutMs: number): Promise<Dump | null> {
    return this.request<Dump>('end', 'dump', timeoutMs);
  }

  protected onLine(line: string): void {
    const p = parseLoaderLine(line);
    if (!p) return;
    if (p.kind === 'ready') {
      this.ready = p.ready;
      this.settle('ready', p.ready);
    } else if (p.kind === 'admitted') this.settle('admitted', p.n);
    else if (p.kind === 'map') p.apply(this.current);
    else if (p.kind === 'end') {
      const d = this.current;
      this.current = emptyDump();
      this.settle('end', d);
    } else this.keepUnparsed(p.line);
  }
}
