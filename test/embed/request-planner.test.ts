import { describe, expect, it } from "vitest";
import { GreedyRequestPacker, planRequests } from "../../src/embed/request-planner.js";

const limits = { maxInputsPerRequest: 4, maxTokensPerRequest: 100, maxTokensPerInput: 60 };

/** Small deterministic PRNG so the property test is reproducible. */
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("request planner", () => {
  it("packs greedily in order under both the input and the token cap", () => {
    const items = [10, 20, 30, 40, 50, 5, 5, 5, 5, 5].map((tokens, index) => ({ index, tokens }));
    const plan = planRequests(items, limits);
    expect(plan.requests.map((r) => r.items.map((i) => i.index))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(plan.requests.map((r) => r.tokens)).toEqual([100, 65, 10]);
    expect(plan.tokens).toBe(175);
    expect(plan.lowerBound).toBe(3);
  });

  it("names the index and token count of an input over the per-input limit", () => {
    expect(() => planRequests([{ index: 0, tokens: 1 }, { index: 7, tokens: 61 }], limits)).toThrow(/index 7 has 61 tokens; the embedder accepts at most 60 per input/);
  });

  it("with upper bounds, refines lazily and still returns exactly the exact-count greedy plan", () => {
    const rnd = lcg(42);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 40);
      const exact = Array.from({ length: n }, () => 1 + Math.floor(rnd() * 60));
      const bound = exact.map((t) => Math.min(60, t + Math.floor(rnd() * 30)));
      const reference = planRequests(exact.map((tokens, index) => ({ index, tokens })), limits);
      let refined = 0;
      const lazy = planRequests(
        bound.map((tokens, index) => ({ index, tokens, exact: false })),
        limits,
        (item) => {
          refined++;
          return exact[item.index];
        },
      );
      expect(lazy.requests.map((r) => r.items.map((i) => i.index))).toEqual(reference.requests.map((r) => r.items.map((i) => i.index)));
      expect(refined).toBeLessThanOrEqual(n);
    }
  });

  it("never counts exactly when the input cap closes every request first", () => {
    let refined = 0;
    const packer = new GreedyRequestPacker<{ index: number; tokens: number; exact: boolean }>(limits, () => {
      refined++;
      return 1;
    });
    const closed = Array.from({ length: 12 }, (_, index) => packer.add({ index, tokens: 20, exact: false })).filter(Boolean);
    expect(closed).toHaveLength(2);
    expect(packer.finish()!.items).toHaveLength(4);
    expect(refined).toBe(0);
  });
});
