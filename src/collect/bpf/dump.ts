/**
 * Parser for what helpers/bin/kdelta-bpf prints on stdout, one JSON object a line. Pure.
 *
 * - `{"ready":true,"attach":"tp_btf","ncpu":2,"attach_ns":..,"ready_ns":..,
 *    "cost_syscall_ns":..,"cost_switch_ns":..}` once, when every program is attached;
 * - `{"admitted":N}` after an `admit` command;
 * - after a `dump` command, one line per map with what changed since the previous dump, then
 *   `{"end":N}`:
 *   `{"map":"sys","rows":[[id,count,timed,sum_ns,max_ns,[bucket,n,bucket,n,...],side],...],"lost":N}`
 *   (lost: timed calls whose time was lost; their count is exact)
 *   `{"map":"rd","rows":[["comm",count,total_ns,max_ns,[bucket,n,...],side],...],"lost":N}`
 *   `{"map":"hard"|"soft","rows":[[irq_or_vec,count,total_ns,count_in_workload,total_in_workload],...]}`
 *   `{"map":"run","side":S,"count":N,"total":ns}` (each side's on-CPU periods)
 *   The side of a row (last, 0 when absent) is the admitted cgroup's: 0 the repetition's workload
 *   (the driver), 1 the scenario's service (`admit ID:1`, with `--sides 2`).
 *   `{"map":"grp","rows":[["comm",kind,id,count,total_ns,max_ns,min_ns],...],"lost":N}` per
 *   thread name, kind 0 syscall (id its number), 1 hard IRQ, 2 softirq (id the vector), 3 run time
 *   `{"map":"tl","rows":[["comm",slot,[on_ns per CPU],[switches per CPU]],...],"ready":[slot,ns,...],"lost":N}`
 *   (10 ms slots since the `admit`)
 *   `{"map":"win","count":N,"total":ns,"max":ns,"short":N,"lost":N,"d":[ns,...]}` trigger windows
 *   kept (count, total, max), left out for being shorter than the minimum (short), and each kept
 *   window's length (d; `lost` of them did not fit the log)
 */

/** 0: the repetition's workload (the driver); 1: the scenario's service. */
export type Side = 0 | 1;

export interface SysRow {
  id: number;
  side: Side;
  /** Calls entered in an admitted cgroup (every call, sampled or not). */
  count: number;
  /** Calls that were timed (all of them at sample 1). */
  timed: number;
  sum: number;
  max: number;
  buckets: Map<number, number>;
}

export interface RdRow {
  comm: string;
  side: Side;
  count: number;
  total: number;
  max: number;
  buckets: Map<number, number>;
}

export interface IrqRow {
  key: number;
  count: number;
  total: number;
  countInWorkload: number;
  totalInWorkload: number;
}

export const GROUP_KINDS = ['syscall', 'hardirq', 'softirq', 'run'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

export interface GroupRow {
  comm: string;
  kind: GroupKind;
  id: number;
  count: number;
  total: number;
  max: number;
  min: number;
}

export interface TimelineRow {
  comm: string;
  slot: number;
  onCpuNs: number[];
  switches: number[];
}

export interface WindowStats {
  count: number;
  total: number;
  max: number;
  short: number;
  lost: number;
  durations: number[];
}

/** One dump: everything between two `dump` commands. */
export interface Dump {
  sys: SysRow[];
  /** Timed calls whose time was lost (a switch the capture did not see, or task storage busy); their count is exact. */
  sysLost: number;
  rd: RdRow[];
  rdLost: number;
  hard: IrqRow[];
  soft: IrqRow[];
  /** The workload's (side 0) on-CPU periods. */
  run: { count: number; total: number } | null;
  /** The service's (side 1), when the loader has that side. */
  serviceRun: { count: number; total: number } | null;
  grp: GroupRow[];
  grpLost: number;
  tl: TimelineRow[];
  tlReady: Map<number, number>;
  tlLost: number;
  win: WindowStats | null;
}

export interface ReadyLine {
  attach: string;
  ncpu: number;
  attachNs: number;
  readyNs: number;
  costSyscallNs: number | null;
  costSwitchNs: number | null;
  /** Trigger windows were attached. */
  windows?: boolean;
}

export type LoaderLine =
  | { kind: 'ready'; ready: ReadyLine }
  | { kind: 'admitted'; n: number }
  | { kind: 'map'; apply: (d: Dump) => void }
  | { kind: 'end'; seq: number }
  | { kind: 'unparsed'; line: string };

export function emptyDump(): Dump {
  return { sys: [], sysLost: 0, rd: [], rdLost: 0, hard: [], soft: [], run: null, serviceRun: null, grp: [], grpLost: 0, tl: [], tlReady: new Map(), tlLost: 0, win: null };
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function pairs(v: unknown): Map<number, number> | null {
  if (!Array.isArray(v) || v.length % 2 !== 0 || !v.every(isNum)) return null;
  const out = new Map<number, number>();
  for (let i = 0; i < v.length; i += 2) out.set(v[i] as number, v[i + 1] as number);
  return out;
}

/** A row's side: its element `at`, 0 when the row stops before it (a loader without sides). */
function sideAt(r: unknown[], at: number): Side | null {
  if (r.length === at) return 0;
  if (r.length !== at + 1) return null;
  return r[at] === 0 || r[at] === 1 ? r[at] : null;
}

function sysRow(r: unknown): SysRow | null {
  if (!Array.isArray(r)) return null;
  const [id, count, timed, sum, max] = r as unknown[];
  const buckets = pairs(r[5]);
  const side = sideAt(r, 6);
  if (!isNum(id) || !isNum(count) || !isNum(timed) || !isNum(sum) || !isNum(max) || !buckets || side === null) return null;
  return { id, side, count, timed, sum, max, buckets };
}

function rdRow(r: unknown): RdRow | null {
  if (!Array.isArray(r)) return null;
  const [comm, count, total, max] = r as unknown[];
  const buckets = pairs(r[4]);
  const side = sideAt(r, 5);
  if (typeof comm !== 'string' || !isNum(count) || !isNum(total) || !isNum(max) || !buckets || side === null) return null;
  return { comm, side, count, total, max, buckets };
}

function irqRow(r: unknown): IrqRow | null {
  if (!Array.isArray(r) || r.length !== 5 || !r.every(isNum)) return null;
  const [key, count, total, countInWorkload, totalInWorkload] = r as number[];
  return { key: key!, count: count!, total: total!, countInWorkload: countInWorkload!, totalInWorkload: totalInWorkload! };
}

function grpRow(r: unknown): GroupRow | null {
  if (!Array.isArray(r) || r.length !== 7 || typeof r[0] !== 'string' || !r.slice(1).every(isNum)) return null;
  const [comm, kind, id, count, total, max, min] = r as [string, number, number, number, number, number, number];
  const k = GROUP_KINDS[kind];
  return k === undefined ? null : { comm, kind: k, id, count, total, max, min };
}

function tlRow(r: unknown): TimelineRow | null {
  if (!Array.isArray(r) || r.length !== 4 || typeof r[0] !== 'string' || !isNum(r[1])) return null;
  const [comm, slot, on, sw] = r as [string, number, unknown, unknown];
  if (!Array.isArray(on) || !Array.isArray(sw) || !on.every(isNum) || !sw.every(isNum)) return null;
  return { comm, slot, onCpuNs: on, switches: sw };
}

function rowsOf<T>(rows: unknown, parse: (r: unknown) => T | null): T[] | null {
  if (!Array.isArray(rows)) return null;
  const out: T[] = [];
  for (const r of rows) {
    const p = parse(r);
    if (p === null) return null;
    out.push(p);
  }
  return out;
}

function winLine(obj: Record<string, unknown>): ((d: Dump) => void) | null {
  const { count, total, max, short, lost, d: durations } = obj;
  if (!isNum(count) || !isNum(total) || !isNum(max) || !isNum(short) || !isNum(lost)) return null;
  if (!Array.isArray(durations) || !durations.every(isNum)) return null;
  return (d) => {
    const w = d.win ?? { count: 0, total: 0, max: 0, short: 0, lost: 0, durations: [] };
    d.win = { count: w.count + count, total: w.total + total, max: Math.max(w.max, max), short: w.short + short, lost: w.lost + lost, durations: [...w.durations, ...durations] };
  };
}

/** A map's rows and its `lost` count (0 when absent), added to a dump; null when a row does not parse. */
function withLost<T>(rows: T[] | null, lost: unknown, add: (d: Dump, rows: T[]) => void, key: 'sysLost' | 'rdLost' | 'grpLost'): ((d: Dump) => void) | null {
  const n = isNum(lost) ? lost : 0;
  return (
    rows &&
    ((d) => {
      add(d, rows);
      d[key] += n;
    })
  );
}

function mapLine(obj: Record<string, unknown>): ((d: Dump) => void) | null {
  switch (obj.map) {
    case 'sys':
      return withLost(rowsOf(obj.rows, sysRow), obj.lost, (d, rows) => d.sys.push(...rows), 'sysLost');
    case 'rd':
      return withLost(rowsOf(obj.rows, rdRow), obj.lost, (d, rows) => d.rd.push(...rows), 'rdLost');
    case 'run': {
      if (!isNum(obj.count) || !isNum(obj.total) || (obj.side !== undefined && obj.side !== 0 && obj.side !== 1)) return null;
      const run = { count: obj.count, total: obj.total };
      const which = obj.side === 1 ? 'serviceRun' : 'run';
      return (d) => {
        d[which] = { count: (d[which]?.count ?? 0) + run.count, total: (d[which]?.total ?? 0) + run.total };
      };
    }
    case 'grp':
      return withLost(rowsOf(obj.rows, grpRow), obj.lost, (d, rows) => d.grp.push(...rows), 'grpLost');
    case 'tl': {
      const rows = rowsOf(obj.rows, tlRow);
      const ready = pairs(obj.ready);
      const lost = isNum(obj.lost) ? obj.lost : 0;
      return (
        rows &&
        ready &&
        ((d) => {
          d.tl.push(...rows);
          for (const [k, v] of ready) d.tlReady.set(k, (d.tlReady.get(k) ?? 0) + v);
          d.tlLost += lost;
        })
      );
    }
    case 'win':
      return winLine(obj);
    case 'hard':
    case 'soft': {
      const rows = rowsOf(obj.rows, irqRow);
      const which = obj.map;
      return rows && ((d) => d[which].push(...rows));
    }
    default:
      return null;
  }
}

export function parseLoaderLine(line: string): LoaderLine | null {
  const t = line.trim();
  if (t === '') return null;
  let obj: unknown;
  try {
    obj = JSON.parse(t);
  } catch {
    return { kind: 'unparsed', line: t };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { kind: 'unparsed', line: t };
  const o = obj as Record<string, unknown>;
  if (o.ready === true) {
    const num = (k: string): number | null => (isNum(o[k]) ? o[k] : null);
    return {
      kind: 'ready',
      ready: {
        attach: typeof o.attach === 'string' ? o.attach : 'unknown',
        ncpu: num('ncpu') ?? 0,
        attachNs: num('attach_ns') ?? 0,
        readyNs: num('ready_ns') ?? 0,
        costSyscallNs: num('cost_syscall_ns'),
        costSwitchNs: num('cost_switch_ns'),
        ...(o.windows === true && { windows: true }),
      },
    };
  }
  if (isNum(o.admitted)) return { kind: 'admitted', n: o.admitted };
  if (isNum(o.end)) return { kind: 'end', seq: o.end };
  if (typeof o.map === 'string') {
    const apply = mapLine(o);
    return apply ? { kind: 'map', apply } : { kind: 'unparsed', line: t.slice(0, 200) };
  }
  return { kind: 'unparsed', line: t.slice(0, 200) };
}

/** Parses a whole dump (the lines up to and including `{"end":N}`), for tests and tools. */
export function parseDump(text: string): Dump {
  const d = emptyDump();
  for (const line of text.split('\n')) {
    const p = parseLoaderLine(line);
    if (p?.kind === 'map') p.apply(d);
  }
  return d;
}
