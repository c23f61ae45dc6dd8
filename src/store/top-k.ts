/**
 * Keeps the k best (score, row) pairs seen so far in a bounded min-heap: the root is the worst kept
 * pair, so the common case in a scan (a row worse than the root) costs one comparison.
 *
 * "Better" is a higher score; on equal scores `before(a, b)` (true when row a should rank ahead of
 * row b) decides, so results are deterministic however rows happen to be ordered in memory.
 * Parallel typed arrays rather than objects: no allocation per candidate.
 */
export class TopK {
  readonly k: number;
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  private n = 0;
  private readonly before: (a: number, b: number) => boolean;

  constructor(k: number, before: (a: number, b: number) => boolean) {
    this.k = k;
    this.scores = new Float64Array(k);
    this.rows = new Int32Array(k);
    this.before = before;
  }

  get size(): number {
    return this.n;
  }

  /** Offers a candidate; kept if the heap is not full or it beats the current worst. */
  push(score: number, row: number): void {
    const k = this.k;
    if (k === 0) return;
    if (this.n < k) {
      this.siftUp(this.n++, score, row);
      return;
    }
    const worst = this.scores[0];
    if (score < worst || (score === worst && !this.before(row, this.rows[0]))) return;
    this.siftDown(score, row);
  }

  /** The kept pairs, best first. */
  drain(): { score: number; row: number }[] {
    const out: { score: number; row: number }[] = [];
    for (let i = 0; i < this.n; i++) out.push({ score: this.scores[i], row: this.rows[i] });
    out.sort((a, b) => (b.score - a.score) || (this.before(a.row, b.row) ? -1 : this.before(b.row, a.row) ? 1 : 0));
    return out;
  }

  /** True when pair i is worse than pair (score, row): it belongs nearer the root. */
  private worse(si: number, ri: number, score: number, row: number): boolean {
    return si < score || (si === score && this.before(row, ri));
  }

  private siftUp(i: number, score: number, row: number): void {
    const s = this.scores, r = this.rows;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.worse(score, row, s[p], r[p])) break;
      s[i] = s[p];
      r[i] = r[p];
      i = p;
    }
    s[i] = score;
    r[i] = row;
  }

  /** Replaces the root with (score, row) and restores the heap. */
  private siftDown(score: number, row: number): void {
    const s = this.scores, r = this.rows, n = this.n;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      if (l + 1 < n && this.worse(s[l + 1], r[l + 1], s[l], r[l])) c = l + 1;
      if (!this.worse(s[c], r[c], score, row)) break;
      s[i] = s[c];
      r[i] = r[c];
      i = c;
    }
    s[i] = score;
    r[i] = row;
  }
}
