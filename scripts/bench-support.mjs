// What the benchmark scripts share: the median of a sample, and a metric from a builtin's JSON lines.

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The value of `name` among the `{"metric": ..., "value": ...}` lines a helpers/bin/kdelta-load builtin prints. */
export function metricOf(stdout, name) {
  for (const l of stdout.split('\n')) {
    try {
      const o = JSON.parse(l);
      if (o?.metric === name) return o.value;
    } catch {
      /* not JSON */
    }
  }
  throw new Error(`no ${name} in ${stdout}`);
}
