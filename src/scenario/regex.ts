import { RE2JS } from 're2js';
import { BOUNDS } from './bounds.js';
import { quoted } from './problem.js';
import type { Parsed } from './units.js';

/** What a workload metric regex found in the output: the first match's first group (undefined when that group took no part). */
export type MetricMatch = { found: false } | { found: true; capture: string | undefined };

export interface MetricMatcher {
  readonly source: string;
  firstCapture(text: string): MetricMatch;
}

export const RE2_SYNTAX_HINT =
  'kdelta matches workload output with RE2, which runs in time linear in the output and so has no backreferences (\\1) or lookaround ((?=, (?!, (?<=, (?<!)';

/**
 * A workload metric regex as kdelta runs it: RE2 semantics (via re2js, pure JS), so a pattern
 * such as `^(a+)+([0-9])$` or `([0-9.]+) ops/s` over megabytes of output costs time linear in
 * the output, never the exponential or quadratic backtracking of the JS engine. `^` and `$`
 * match at line ends, as the scenario documents.
 */
export function compileMetricRegex(source: string): Parsed<MetricMatcher> {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, RE2JS.MULTILINE);
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /u, '');
    return { ok: false, error: `regex ${quoted(source, 80)} is not RE2 syntax (${why}): ${RE2_SYNTAX_HINT}` };
  }
  if (re.programSize() > BOUNDS.regexInstructions) {
    const size = re.programSize();
    return { ok: false, error: `regex ${quoted(source, 80)} is too large to match quickly (${size} RE2 instructions, at most ${BOUNDS.regexInstructions}): write fewer or smaller {n} repeats` };
  }
  if (re.groupCount() < 1) {
    return { ok: false, error: `regex ${quoted(source, 80)} needs a capture group around the number, e.g. "([0-9.]+) ops/s"` };
  }
  return {
    ok: true,
    value: {
      source,
      firstCapture(text: string): MetricMatch {
        const m = re.matcher(text);
        if (!m.find()) return { found: false };
        const capture = m.group(1);
        return { found: true, capture: capture ?? undefined };
      },
    },
  };
}

/**
 * Why a metric regex cannot be used, or null. The JS engine reads it first only for its
 * messages (`Unterminated group` says more than RE2's), then RE2 must accept it, since RE2 runs it.
 */
export function metricRegexProblem(source: string): string | null {
  try {
    new RegExp(source, 'mu');
  } catch (err) {
    return `bad regex ${quoted(source, 80)}: ${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /su, '')}`;
  }
  const compiled = compileMetricRegex(source);
  return compiled.ok ? null : compiled.error;
}

export interface LineMatcher {
  readonly source: string;
  test(line: string): boolean;
}

/** A regex that only has to match (a service's readiness line), in RE2 like the metric regexes, since the text is the service's. */
export function compileLineRegex(source: string): Parsed<LineMatcher> {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /u, '');
    return { ok: false, error: `regex ${quoted(source, 80)} is not RE2 syntax (${why}): ${RE2_SYNTAX_HINT}` };
  }
  if (re.programSize() > BOUNDS.regexInstructions) {
    return { ok: false, error: `regex ${quoted(source, 80)} is too large to match quickly (${re.programSize()} RE2 instructions, at most ${BOUNDS.regexInstructions})` };
  }
  return { ok: true, value: { source, test: (line) => re.matcher(line).find() } };
}

/** `host:port` of a TCP readiness check, or why it is not one. */
export function parseTcpAddress(text: string): Parsed<{ host: string; port: number }> {
  const at = text.lastIndexOf(':');
  const host = text.slice(0, at).replace(/^\[(.*)\]$/u, '$1');
  const port = Number(text.slice(at + 1));
  if (at <= 0 || host === '' || !/^[0-9]{1,5}$/u.test(text.slice(at + 1)) || port < 1 || port > 65535) {
    return { ok: false, error: `${quoted(text, 80)} is not host:port with a port from 1 to 65535, e.g. 127.0.0.1:18080` };
  }
  return { ok: true, value: { host, port } };
}
