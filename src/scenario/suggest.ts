/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), because the
 * usual slips in a key are one dropped, doubled or swapped letter: `repetitons`, `warmpu`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i < rows; i++) {
    const row = d[i] as number[];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `word` when it is close enough to be the likely intent (at most a
 * third of the word's letters wrong, at least one allowed), else null. Case, `-` and `_` are
 * ignored first, so `ready-delay` finds `ready_delay`.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | null {
  const fold = (s: string): string => s.toLowerCase().replace(/-/gu, '_');
  const w = fold(word);
  const budget = Math.max(1, Math.floor(w.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(w, fold(c));
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return bestDistance <= budget ? best : null;
}
