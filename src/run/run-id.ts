/** A run id that sorts by time and names a folder: 20261121T225300Z-1a2b. */
export function newRunId(now: Date, pid = process.pid): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${pid.toString(36)}`;
}

/** The bootstrap seed: fixed per run id, so a report can be recomputed exactly. */
export function seedOf(runId: string): number {
  let h = 2166136261;
  for (const ch of runId) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}
