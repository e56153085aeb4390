/**
 * Parsers for bpftrace's `-f json` stdout and its stderr. Pure: the session feeds lines in.
 *
 * Shapes handled (one JSON object per line):
 * - v0.17 (Debian here): `{"type": "attached_probes", "data": {"probes": 5}}`,
 *   `{"type": "lost_events", "data": {"events": 3}}`,
 *   `{"type": "helper_error", "helper": "map_update_elem", "retcode": -7, "line": 2, "col": 65}`.
 * - v0.24+: the same plus a top-level `count` on attached_probes / lost_events, a `msg` and
 *   `filename` on helper_error, and any integer a double cannot hold printed as a string.
 * - both: `{"type": "map"|"stats"|"hist", "data": {"@name": value}}` where value is a number
 *   (key-less map) or an object keyed by the map key (tuple keys joined by ","), and a map with
 *   no entries is not printed at all; `{"type": "printf", "data": "text"}`.
 */

export interface StatsValue {
  count: number;
  total: number;
}

export interface HistBucket {
  min: number | null;
  max: number | null;
  count: number;
}

export type MapEntryValue = number | StatsValue | HistBucket[];

export type BpftraceEvent =
  | { kind: 'attached'; probes: number }
  | { kind: 'map'; name: string; type: 'map' | 'stats' | 'hist'; entries: Map<string, MapEntryValue> }
  | { kind: 'printf'; text: string }
  | { kind: 'lost'; events: number }
  | { kind: 'helper-error'; helper: string; retcode: number; where: string }
  | { kind: 'other'; type: string }
  | { kind: 'unparsed'; line: string };

/** A number from a JSON value that may be a number or (v0.24+, above 2^53) a decimal string. */
export function jsonNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseEntryValue(type: string, v: unknown): MapEntryValue | null {
  if (type === 'stats' && isRecord(v)) {
    const count = jsonNumber(v.count);
    const total = jsonNumber(v.total);
    if (count === null || total === null) return null;
    return { count, total };
  }
  if (type === 'hist' && Array.isArray(v)) {
    const out: HistBucket[] = [];
    for (const b of v) {
      if (!isRecord(b)) return null;
      const count = jsonNumber(b.count);
      if (count === null) return null;
      out.push({ min: jsonNumber(b.min), max: jsonNumber(b.max), count });
    }
    return out;
  }
  return jsonNumber(v);
}

/** Map keys as printed: v0.17 joins tuple parts with ",", v0.24+ too, after stripping "(", ")" and spaces. */
export function splitMapKey(key: string, parts: number): string[] {
  if (parts <= 1) return [key.replace(/^"(.*)"$/, '$1')];
  // The last parts are numbers; the first may be a string holding commas (a thread name).
  const pieces = key.split(',');
  const tail = pieces.splice(pieces.length - (parts - 1));
  const head = pieces.join(',').replace(/^"(.*)"$/, '$1');
  return [head, ...tail];
}

export function parseBpftraceLine(line: string): BpftraceEvent | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  let obj: unknown;
  try {
    obj = JSON.parse(trimmed);
  } catch {
    return { kind: 'unparsed', line: trimmed };
  }
  if (!isRecord(obj) || typeof obj.type !== 'string') return { kind: 'unparsed', line: trimmed };
  const data = obj.data;
  switch (obj.type) {
    case 'attached_probes': {
      const n = jsonNumber(isRecord(data) ? data.probes : undefined) ?? jsonNumber(obj.count);
      return n === null ? { kind: 'unparsed', line: trimmed } : { kind: 'attached', probes: n };
    }
    case 'lost_events': {
      const n = jsonNumber(obj.count) ?? jsonNumber(isRecord(data) ? data.events : data);
      return n === null ? { kind: 'unparsed', line: trimmed } : { kind: 'lost', events: n };
    }
    case 'helper_error': {
      const retcode = jsonNumber(obj.retcode) ?? 0;
      const where = [obj.filename, obj.line, obj.col].filter((x) => x !== undefined).join(':');
      return { kind: 'helper-error', helper: String(obj.helper ?? 'unknown'), retcode, where };
    }
    case 'printf':
      return typeof data === 'string' ? { kind: 'printf', text: data } : { kind: 'unparsed', line: trimmed };
    case 'map':
    case 'stats':
    case 'hist': {
      if (!isRecord(data)) return { kind: 'unparsed', line: trimmed };
      const names = Object.keys(data);
      const name = names[0];
      if (names.length !== 1 || name === undefined) return { kind: 'unparsed', line: trimmed };
      const type = obj.type;
      const raw = data[name];
      const entries = new Map<string, MapEntryValue>();
      // A key-less map prints its value directly (a number, a stats object or a hist array).
      const direct = parseEntryValue(type, raw);
      if (direct !== null && !(type === 'map' && isRecord(raw))) {
        entries.set('', direct);
      } else if (isRecord(raw)) {
        for (const [k, v] of Object.entries(raw)) {
          const parsed = parseEntryValue(type, v);
          if (parsed !== null) entries.set(k, parsed);
        }
      } else {
        return { kind: 'unparsed', line: trimmed };
      }
      return { kind: 'map', name, type, entries };
    }
    default:
      return { kind: 'other', type: obj.type };
  }
}

export interface StderrReport {
  /** Lines that mean the program did not load or run. */
  errors: string[];
  /** Lines that may mean doubtful data (reported per repetition). */
  warnings: string[];
  /** Known harmless lines, e.g. RLIMIT_MEMLOCK on kernels that charge BPF memory to the cgroup. */
  benign: string[];
}

const BENIGN = [/couldn't set RLIMIT_MEMLOCK/i, /^Attaching \d+ probes?/];

/**
 * Classifies bpftrace's stderr. "couldn't set RLIMIT_MEMLOCK" is printed as an ERROR but is
 * not one: since 5.11 BPF memory is charged to the memory cgroup and the limit is unused.
 * Source excerpt lines that follow a message (the program line and the ~~~ marker) are folded
 * into it.
 */
export function parseBpftraceStderr(text: string): StderrReport {
  const report: StderrReport = { errors: [], warnings: [], benign: [] };
  let last: string[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    if (BENIGN.some((re) => re.test(line))) {
      report.benign.push(line);
      last = null;
      continue;
    }
    const m = /^(?:(\S+?:\d+(?:[:-]\d+)*): )?(ERROR|WARNING): (.*)$/.exec(line);
    if (m) {
      const msg = m[1] ? `${m[1]}: ${m[3] ?? ''}` : (m[3] ?? '');
      last = m[2] === 'ERROR' ? report.errors : report.warnings;
      last.push(msg);
      continue;
    }
    // Continuation (source excerpt) or an unknown line: keep with the previous message.
    if (last && last.length > 0) {
      const i = last.length - 1;
      if (!/^\s*~+\s*$/.test(line)) last[i] = `${last[i]} | ${line.trim()}`;
    } else {
      report.warnings.push(line.trim());
    }
  }
  return report;
}

/** The cumulative state of every printed map at one marker. */
export type Snapshot = Map<string, Map<string, MapEntryValue>>;

/**
 * Collects events between two markers. bpftrace prints the maps a marker asks for and then
 * the marker's printf line; `feed` returns the marker number when one completes a snapshot.
 */
export class SnapshotReader {
  private current: Snapshot = new Map();
  readonly snapshots = new Map<number, Snapshot>();
  lostEvents = 0;
  readonly helperErrors = new Map<string, number>();
  readonly unparsed: string[] = [];
  attachedProbes: number | null = null;

  feed(line: string): { marker: number } | { attached: number } | null {
    const ev = parseBpftraceLine(line);
    if (!ev) return null;
    switch (ev.kind) {
      case 'attached':
        this.attachedProbes = ev.probes;
        return { attached: ev.probes };
      case 'map':
        this.current.set(ev.name, ev.entries);
        return null;
      case 'printf': {
        const m = /^kdelta-mark (?:kd[a-z])?(\d+)/.exec(ev.text);
        if (!m) return null;
        const n = Number(m[1]);
        this.snapshots.set(n, this.current);
        this.current = new Map();
        return { marker: n };
      }
      case 'lost':
        this.lostEvents += ev.events;
        return null;
      case 'helper-error': {
        const key = `${ev.helper} ${ev.retcode}${ev.where ? ` at ${ev.where}` : ''}`;
        this.helperErrors.set(key, (this.helperErrors.get(key) ?? 0) + 1);
        return null;
      }
      case 'unparsed':
        if (this.unparsed.length < 20) this.unparsed.push(ev.line);
        return null;
      case 'other':
        return null;
    }
  }
}
