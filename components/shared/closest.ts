// "Did you mean …?": the known word nearest to a misspelt one, for config keys and stack names.

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  const rows: number[][] = [Array.from({ length: right.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= left.length; i++) {
    const row = [i];
    for (let j = 1; j <= right.length; j++) {
      const above = rows[i - 1] ?? [];
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1])
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[left.length]?.[right.length] ?? 0;
}

/**
 * The candidate nearest to `word`, if it is near enough to be a slip rather than another word: at most
 * one edit for short words, two for longer ones, and never more than a third of the word.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const allowed = Math.min(word.length <= 4 ? 1 : 2, Math.max(1, Math.floor(word.length / 3)));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance <= allowed && (best === undefined || distance < best.distance))
      best = { candidate, distance };
  }
  return best?.candidate;
}
