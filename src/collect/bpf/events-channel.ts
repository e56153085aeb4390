import { parseEventsLine, type RawEvent } from './events-parse.js';
import { PipeLoader } from './pipe-loader.js';

/** What one `dump` returned: the events received since the previous one and the counters. */
export interface EventsDump {
  events: RawEvent[];
  seen: number;
  ringFull: number;
}

/**
 * The line protocol with helpers/bin/kdelta-events: the shared loader protocol, with events
 * arriving between the answers as they come.
 */
export class EventsChannel extends PipeLoader {
  private events: RawEvent[] = [];
  private counts = { seen: 0, ringFull: 0 };

  constructor(loader: string, args: string[]) {
    super(loader, args, 'slow-call events (libbpf)', 'run `kdelta doctor`; or remove collect.ebpf.syscalls.events');
  }

  /** Starts a repetition: the loader's count restarts and the events of before are discarded. */
  async admit(cgroupId: bigint, timeoutMs: number): Promise<number | null> {
    const n = await this.request<number>('admitted', `admit ${cgroupId.toString()}`, timeoutMs);
    this.events = [];
    return n;
  }

  dump(timeoutMs: number): Promise<EventsDump | null> {
    return this.request<EventsDump>('end', 'dump', timeoutMs);
  }

  protected onLine(line: string): void {
    const p = parseEventsLine(line);
    if (!p) return;
    if (p.kind === 'ready') this.settle('ready', p);
    else if (p.kind === 'admitted') this.settle('admitted', p.n);
    else if (p.kind === 'event') this.events.push(p.event);
    else if (p.kind === 'counts') this.counts = { seen: p.seen, ringFull: p.ringFull };
    else if (p.kind === 'end') {
      const d: EventsDump = { events: this.events, ...this.counts };
      this.events = [];
      this.settle('end', d);
    } else this.keepUnparsed(p.line);
  }
}
