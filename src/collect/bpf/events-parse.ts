import type { Mapping } from '../../kernel/symbolizer.js';

/**
 * Parser for what helpers/bin/kdelta-events prints on stdout, one JSON object a line. Pure.
 *
 * - `{"ready":true,"attach_ns":..,"ready_ns":..}` once, when its programs are attached;
 * - `{"admitted":N}` after an `admit` command (a repetition starts);
 * - `{"ev":{"t":ns,"d":ns,"pid":..,"tid":..,"nr":..,"ret":..,"comm":"..","u":["0x.."],
 *   "k":["0x.."],"top":"0x..","maps":[["0xstart","0xend","0xoffset","path"],...]}}` per slow
 *   call, as it arrives (addresses in hex: kernel ones pass 2^53);
 * - after a `dump` command: `{"seen":N,"ring_full":M}` then `{"end":K}`.
 */

export interface RawEvent {
  t: number;
  durationNs: number;
  pid: number;
  tid: number;
  nr: number;
  ret: number;
  comm: string;
  user: number[];
  kernel: bigint[];
  top: number;
  maps: Mapping[];
}

export type EventsLine =
  | { kind: 'ready'; attachNs: number }
  | { kind: 'admitted'; n: number }
  | { kind: 'event'; event: RawEvent }
  | { kind: 'counts'; seen: number; ringFull: number }
  | { kind: 'end'; seq: number }
  | { kind: 'unparsed'; line: string };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const HEX = /^0x[0-9a-f]{1,16}$/u;

function hexList(v: unknown): bigint[] | null {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && HEX.test(x))) return null;
  return (v as string[]).map((x) => BigInt(x));
}

function mapping(v: unknown): Mapping | null {
  if (!Array.isArray(v) || v.length !== 4 || typeof v[3] !== 'string') return null;
  const nums = hexList(v.slice(0, 3));
  if (!nums) return null;
  const [start, end, offset] = nums.map(Number) as [number, number, number];
  return { start, end, offset, path: v[3] };
}

function rawEvent(e: Record<string, unknown>): RawEvent | null {
  const { t, d, pid, tid, nr, ret, comm } = e;
  if (!isNum(t) || !isNum(d) || !isNum(pid) || !isNum(tid) || !isNum(nr) || !isNum(ret) || typeof comm !== 'string') return null;
  const user = hexList(e.u);
  const kernel = hexList(e.k);
  const top = hexList([e.top]);
  if (!user || !kernel || !top || !Array.isArray(e.maps)) return null;
  const maps = e.maps.map(mapping);
  if (maps.some((m) => m === null)) return null;
  // User addresses are below 2^47 (2^56 with 5-level paging): exact as numbers.
  return { t, durationNs: d, pid, tid, nr, ret, comm, user: user.map(Number), kernel, top: Number(top[0]), maps: maps as Mapping[] };
}

export function parseEventsLine(line: string): EventsLine | null {
  const text = line.trim();
  if (!text) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'unparsed', line: text.slice(0, 200) };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { kind: 'unparsed', line: text.slice(0, 200) };
  const o = v as Record<string, unknown>;
  if (o.ready === true) return { kind: 'ready', attachNs: isNum(o.attach_ns) ? o.attach_ns : 0 };
  if (isNum(o.admitted)) return { kind: 'admitted', n: o.admitted };
  if (isNum(o.seen) && isNum(o.ring_full)) return { kind: 'counts', seen: o.seen, ringFull: o.ring_full };
  if (isNum(o.end)) return { kind: 'end', seq: o.end };
  if (typeof o.ev === 'object' && o.ev !== null) {
    const event = rawEvent(o.ev as Record<string, unknown>);
    if (event) return { kind: 'event', event };
  }
  return { kind: 'unparsed', line: text.slice(0, 200) };
}
