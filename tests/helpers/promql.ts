// The metric names a PromQL expression reads: enough of PromQL for hadb's own queries (string literals,
// label matchers, ranges and by/on groupings removed; function calls and keywords skipped).
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
const KEYWORDS = new Set(["bool", "and", "or", "unless", "offset"]);

export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(GROUPING, " ");
  const names = [...bare.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*(\()?/g)]
    .filter((match) => match[2] === undefined && !KEYWORDS.has(match[1] ?? ""))
    .map((match) => match[1] ?? "");
  return [...new Set(names)];
}
