/** One thing wrong with a scenario file, where it is. line/col are 1-based; 0 when the problem has no position (unreadable file). */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** `file:line:col: message` (or `file: message` when there is no position), the shape editors and CI annotations link. */
export function formatProblem(p: Problem): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.col}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** A problem found in one file, by the path of the offending node in the document. */
export interface Finding {
  path: readonly string[];
  /** Point at the key of the last path segment (unknown keys) or at its value. */
  at: 'key' | 'value';
  /** A function when the message costs time to write ("did you mean"): only the problems shown are written. */
  message: string | (() => string);
}

/** `workload.metrics[0].name`, `gate.metrics["irq.node0.share"]`, or `scenario` for the top. */
export function pathName(path: readonly string[]): string {
  if (path.length === 0) return 'scenario';
  let out = '';
  for (const seg of path) {
    if (/^[0-9]+$/u.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/u.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${quoted(seg, 80)}]`;
  }
  return out;
}

/** A value as a message shows it: short strings quoted, long ones cut, so a 1 MB key does not become a 1 MB message. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return quoted(v);
  return String(v);
}

/** JSON-quoted, cut to `max` characters. */
export function quoted(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
