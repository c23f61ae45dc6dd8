/** $12.35, $0.42, $0.0031: two significant digits for small amounts, cents otherwise. */
export function formatDollars(x: number): string {
  if (x === 0) return "$0";
  return x >= 1 ? `$${x.toFixed(2)}` : `$${x.toFixed(Math.min(12, Math.max(2, 1 - Math.floor(Math.log10(x)))))}`;
}
