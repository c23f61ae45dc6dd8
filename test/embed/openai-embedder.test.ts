import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OptionsError } from "../../src/errors.js";
import { OpenAIEmbedder } from "../../src/embed/openai-embedder.js";
import { expectedVector, OpenAITestServer } from "../support/openai-test-server.js";

let server: OpenAITestServer;
beforeAll(async () => {
  server = await OpenAITestServer.start(); // no key required: a keyless compatible server
});
afterAll(() => server.close());

function withoutEnv<T>(fn: () => T): T {
  const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
  try {
    return fn();
  } finally {
    if (saved.key !== undefined) process.env.OPENAI_API_KEY = saved.key;
    if (saved.url !== undefined) process.env.OPENAI_BASE_URL = saved.url;
  }
}

describe("OpenAIEmbedder", () => {
  it("names provider, model and dimensions in its id, with per-model default sizes and OpenAI's limits", () => {
    const e = (model: string, dimensions?: number) => new OpenAIEmbedder({ model, dimensions, apiKey: "sk-x" });
    expect(e("text-embedding-3-small").id).toBe("openai:text-embedding-3-small@1536");
    expect(e("text-embedding-3-large").id).toBe("openai:text-embedding-3-large@3072");
    expect(e("text-embedding-ada-002").id).toBe("openai:text-embedding-ada-002@1536");
    expect(e("text-embedding-3-small", 256).id).toBe("openai:text-embedding-3-small@256");
    expect(e("text-embedding-3-small").limits).toEqual({ maxInputsPerRequest: 2048, maxTokensPerRequest: 300_000, maxTokensPerInput: 8192 });
  });

  it("refuses impossible sizes and unknown models without dimensions", () => {
    expect(() => new OpenAIEmbedder({ model: "text-embedding-ada-002", dimensions: 256, apiKey: "k" })).toThrow(/cannot be shortened/);
    expect(() => new OpenAIEmbedder({ model: "text-embedding-3-small", dimensions: 4000, apiKey: "k" })).toThrow(/at most 1536/);
    expect(() => new OpenAIEmbedder({ model: "my-model", apiKey: "k" })).toThrow(OptionsError);
    expect(new OpenAIEmbedder({ model: "my-model", dimensions: 32, apiKey: "k" }).id).toBe("openai:my-model@32");
  });

  it("needs a key for OpenAI's URL (when it would send a request), but not for a custom base URL", async () => {
    const keyless = withoutEnv(() => new OpenAIEmbedder());
    expect(keyless.id).toBe("openai:text-embedding-3-small@1536");
    await expect(keyless.embed(["x"])).rejects.toThrow(OptionsError);
    await expect(keyless.embed(["x"])).rejects.toThrow(/OPENAI_API_KEY is not set/);
    const e = withoutEnv(() => new OpenAIEmbedder({ baseURL: server.url, dimensions: 8 }));
    const [v] = await e.embed(["hello"]);
    expect(Array.from(v)).toEqual(Array.from(expectedVector("hello", 8)));
  });

  it("sends dimensions only when asked, and uses the server's native size otherwise", async () => {
    server.reset();
    const native = new OpenAIEmbedder({ baseURL: server.url, apiKey: "k" });
    const [v] = await native.embed(["x"]);
    expect(v).toHaveLength(1536);
    const ada = new OpenAIEmbedder({ baseURL: server.url, apiKey: "k", model: "text-embedding-ada-002" });
    expect((await ada.embed(["x"]))[0]).toHaveLength(1536);
    expect(server.log.map((l) => l.dimensions)).toEqual([1536, 1536]);
  });

  it("counts tokens with cl100k_base and truncates to a token budget", () => {
    const e = new OpenAIEmbedder({ apiKey: "k" });
    expect(e.countTokens("hello world")).toBe(2);
    expect(e.countTokens("<|endoftext|>")).toBeGreaterThan(1); // special tokens are plain text here
    const long = "word ".repeat(100);
    expect(e.countTokens(e.truncateToTokens(long, 10))).toBe(10);
    expect(e.truncateToTokens("short", 10)).toBe("short");
  });

  it("reports a wrong vector size from the server as a non-retryable error", async () => {
    const e = new OpenAIEmbedder({ baseURL: server.url, apiKey: "k", dimensions: 12 });
    server.inject({ wrongDimensions: 64 });
    await expect(e.embed(["x"])).rejects.toThrow(/returned 64-dimensional vectors; openai:text-embedding-3-small@12~[0-9a-f]{8} expects 12/);
    expect((await e.embed(["x"]))[0]).toHaveLength(12);
  });
});
