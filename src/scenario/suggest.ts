/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), because the
 * usual slips in a key are one dropped, doubled or swapped letter: `repetitons`, `warmpu`.
 */
export function editDistance(a: string, b: string): number {
  // Three rolling rows instead of a matrix: this runs once per unknown key per allowed key.
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] as number) + 1);
      row[j] = best;
    }
    [before, prev, row] = [prev, row, before];
  }
  return prev[b.length] as number;
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
    // The distance is at least the difference in length: most candidates end here.
    if (Math.abs(c.length - w.length) > Math.min(budget, bestDistance)) continue;
    const dist = editDistance(w, fold(c));
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return bestDistance <= budget ? best : null;
}
