import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/embed/rate-limiter.js";

const never = new AbortController().signal;

describe("RateLimiter (issue 9, defect 4)", () => {
  it("spaces requests evenly at a given requests-per-minute", async () => {
    let now = 0;
    const rl = new RateLimiter({ requestsPerMinute: 60, now: () => now });
    expect(rl.waitFor(0)).toBe(0);
    await rl.acquire(0, never);
    expect(rl.waitFor(0)).toBe(1000);
    now = 400;
    expect(rl.waitFor(0)).toBe(600);
  });

  it("learns limits, what is left and the refill rate from x-ratelimit-* headers", async () => {
    let now = 0;
    const rl = new RateLimiter({ now: () => now });
    expect(rl.pacesTokens).toBe(false);
    const t = (await rl.acquire(50, never))!;
    // 100 tokens a window, 10 left, full again in 900 ms: 0.1 token per ms.
    rl.observe(t, { "x-ratelimit-limit-tokens": "100", "x-ratelimit-remaining-tokens": "10", "x-ratelimit-reset-tokens": "900ms" });
    expect(rl.pacesTokens).toBe(true);
    expect(rl.waitFor(10)).toBe(0);
    expect(rl.waitFor(30)).toBe(200);
    now = 200;
    expect(rl.waitFor(30)).toBe(0);
  });

  it("counts what was sent after a request against the room its answer reports", async () => {
    let now = 0;
    const rl = new RateLimiter({ now: () => now });
    const a = (await rl.acquire(1, never))!;
    await rl.acquire(1, never); // sent after a, still out
    rl.observe(a, { "x-ratelimit-limit-requests": "10", "x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "54s" });
    // 1 left as of a's answer, minus the one sent since: none left until 6 s refill one.
    expect(rl.waitFor(0)).toBe(6000);
  });

  it("a pause (a 429 anywhere) holds every request", () => {
    let now = 0;
    const rl = new RateLimiter({ now: () => now });
    rl.pause(1500);
    expect(rl.waitFor(0)).toBe(1500);
    now = 1500;
    expect(rl.waitFor(0)).toBe(0);
  });
});
