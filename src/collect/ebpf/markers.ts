import { readFileSync, writeFileSync } from 'node:fs';
import { SnapshotReader, type Snapshot } from './output.js';
import { MARKER_PREFIX } from './program.js';

function readOwnComm(): string {
  try {
    return readFileSync('/proc/self/comm', 'utf8').trim() || 'node';
  } catch {
    return 'node';
  }
}

/** How waiting on bpftrace ended when it did not deliver. */
export type Undelivered = 'timeout' | 'exit';

/**
 * kdelta's side of the marker protocol: renaming kdelta's main thread to `kdm<n>` makes the
 * program print its maps and then the marker `n`, so a snapshot is a consistent cut between
 * two repetitions. Also tells when bpftrace has attached its probes, or has exited.
 */
export class Markers {
  readonly reader = new SnapshotReader();
  private next = 0;
  private readonly waiters = new Map<number, () => void>();
  private readonly onChange = new Set<() => void>();
  private gone = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly ownComm = readOwnComm(),
    // Another program watching kdelta's renames answers only its own prefix.
    private readonly prefix = MARKER_PREFIX,
  ) {}

  /** One line of bpftrace's stdout. */
  feed(line: string): void {
    const r = this.reader.feed(line);
    if (!r) return;
    if ('attached' in r) this.notify();
    else this.waiters.get(r.marker)?.();
  }

  /** bpftrace has exited: whoever waits stops waiting. */
  exited(): void {
    this.gone = true;
    this.notify();
  }

  private notify(): void {
    for (const f of this.onChange) f();
  }

  /** Resolves with the outcome of `ready`, or when bpftrace exits or the time is up. */
  private race<T>(ready: Promise<T>, timeoutMs: number): Promise<T | Undelivered> {
    let timer: NodeJS.Timeout | undefined;
    let listener: (() => void) | undefined;
    const exit = new Promise<'exit'>((r) => {
      listener = () => {
        if (this.gone) r('exit');
      };
      this.onChange.add(listener);
      listener();
    });
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    return Promise.race([ready, timeout, exit]).finally(() => {
      clearTimeout(timer);
      if (listener) this.onChange.delete(listener);
    });
  }

  /** Waits for bpftrace's `attached_probes` line. */
  async attached(timeoutMs: number): Promise<'attached' | Undelivered> {
    let listener: (() => void) | undefined;
    const seen = new Promise<'attached'>((resolve) => {
      listener = () => {
        if (this.reader.attachedProbes !== null) resolve('attached');
      };
      this.onChange.add(listener);
      listener();
    });
    const r = await this.race(seen, timeoutMs);
    if (listener) this.onChange.delete(listener);
    return r;
  }

  /** Fires the next marker and waits for the snapshot it cuts. */
  async snapshot(): Promise<Snapshot | Undelivered> {
    const n = this.next++;
    const done = new Promise<'ok'>((resolve) => this.waiters.set(n, () => resolve('ok')));
    const fire = (): void => {
      // Synchronous writes: they run on the main thread, whose tgid the program filters on.
      try {
        writeFileSync('/proc/self/comm', `${this.prefix}${n}`);
      } finally {
        writeFileSync('/proc/self/comm', this.ownComm);
      }
    };
    fire();
    // bpftrace prints attached_probes before its last probe is attached, so the first marker
    // can fall into that gap; firing again is harmless (the same snapshot is printed twice).
    const again = setInterval(fire, 100);
    const r = await this.race(done, this.timeoutMs);
    clearInterval(again);
    this.waiters.delete(n);
    if (r !== 'ok') return r;
    const snap = this.reader.snapshots.get(n);
    this.reader.snapshots.clear();
    return snap ?? new Map();
  }
}
