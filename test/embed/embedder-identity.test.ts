import { describe, expect, it } from "vitest";
import { createEmbedder } from "../../src/embed/create-embedder.js";
import { checkEmbedderMatches, embedderSpaceId, normalizeBaseUrl, parseEmbedderId, serverFingerprint } from "../../src/embed/embedder-identity.js";
import { EmbeddingFetcher } from "../../src/embed/embedding-fetcher.js";
import { pricePerMillionTokens } from "../../src/embed/embedding-prices.js";
import { narrowLimits } from "../../src/embed/narrow-limits.js";
import { OPENAI_EMBEDDING_LIMITS, OpenAIEmbedder } from "../../src/embed/openai-embedder.js";

describe("server identity", () => {
  it("normalises a base URL to scheme, host, port and path; refuses credentials, query or fragment without echoing them", () => {
    expect(normalizeBaseUrl("HTTP://LocalHost:11434/v1/")).toBe("http://localhost:11434/v1");
    expect(normalizeBaseUrl("https://api.openai.com:443/v1//")).toBe("https://api.openai.com/v1");
    for (const u of ["https://user:sk-secret@proxy.example/openai/v1", "https://proxy.example/openai/v1?api-key=sk-secret", "https://proxy.example/v1#sk-secret"]) {
      expect(() => normalizeBaseUrl(u)).toThrow(/--base-url https:\/\/proxy\.example\/(openai\/)?v1 carries/);
      expect(() => normalizeBaseUrl(u)).not.toThrow(/sk-secret/);
    }
    expect(() => normalizeBaseUrl("localhost:11434")).toThrow(/must be an http:\/\/ or https:\/\/ URL/);
    expect(() => normalizeBaseUrl("not a url")).toThrow(/is not a valid URL/);
  });

  it("gives OpenAI's endpoint no fingerprint and every other server its own", () => {
    for (const u of ["https://api.openai.com/v1", "https://api.openai.com/v1/", "https://API.openai.com:443/v1"]) expect(serverFingerprint(u)).toBeUndefined();
    const a = serverFingerprint("http://127.0.0.1:8001/v1")!;
    expect(a).toMatch(/^[0-9a-f]{8}$/);
    expect(serverFingerprint("http://127.0.0.1:8001/v1/")).toBe(a);
    expect(serverFingerprint("http://127.0.0.1:8002/v1")).not.toBe(a);
    expect(serverFingerprint("https://127.0.0.1:8001/v1")).not.toBe(a);
    expect(serverFingerprint("https://api.openai.com")).toMatch(/^[0-9a-f]{8}$/); // another path: not the embeddings API
  });

  it("puts the server in the embedder id, and keeps OpenAI's id plain", () => {
    expect(new OpenAIEmbedder({ baseURL: "https://api.openai.com/v1/", dimensions: 256 }).id).toBe("openai:text-embedding-3-small@256");
    const e = new OpenAIEmbedder({ baseURL: "http://127.0.0.1:8001/v1", dimensions: 256 });
    expect(e.id).toBe(`openai:text-embedding-3-small@256~${serverFingerprint("http://127.0.0.1:8001/v1")}`);
    expect(JSON.stringify(parseEmbedderId(e.id))).not.toContain("127.0.0.1");
    expect(embedderSpaceId(e.id)).toBe("openai:text-embedding-3-small@256");
  });

  it("refuses a base URL with credentials when the embedder is made, without echoing them", () => {
    expect(() => new OpenAIEmbedder({ baseURL: "http://user:hunter2-secret@127.0.0.1:1/v1", apiKey: "k" })).toThrow(/carries credentials/);
    expect(() => new OpenAIEmbedder({ baseURL: "http://user:hunter2-secret@127.0.0.1:1/v1", apiKey: "k" })).not.toThrow(/hunter2/);
  });

  it("recreates an id that names a server only against that server", () => {
    const url = "http://127.0.0.1:8001/v1";
    const id = `openai:text-embedding-3-small@16~${serverFingerprint(url)}`;
    expect(createEmbedder(id, { baseURL: url }).id).toBe(id);
    expect(() => createEmbedder(id, { baseURL: "http://127.0.0.1:8002/v1" })).toThrow(/nothing was sent\. Pass --base-url/);
    expect(() => createEmbedder(id)).toThrow(/would embed with OpenAI's own endpoint/);
  });

  it("checks a recorded space: model, size, and the server when one is recorded", () => {
    const plain = { id: "openai:text-embedding-3-small@16", dimensions: 16 };
    const other = { id: "openai:text-embedding-3-small@16~0badc0de", dimensions: 16 };
    // No server recorded (older bundles, --vectors-from): any server for that model and size.
    expect(() => checkEmbedderMatches(plain, other)).not.toThrow();
    expect(() => checkEmbedderMatches({ ...plain, server: "api.openai.com" }, other)).toThrow(/Drop --base-url/);
    expect(() => checkEmbedderMatches({ ...other, server: "0badc0de" }, plain)).toThrow(/Pass --base-url .*~0badc0de/);
    expect(() => checkEmbedderMatches(plain, { id: "openai:text-embedding-3-large@16", dimensions: 16 })).toThrow(/trained on openai:text-embedding-3-small@16 vectors/);
    expect(() => checkEmbedderMatches({ id: "precomputed@16", dimensions: 16 }, other)).not.toThrow();
    expect(() => checkEmbedderMatches({ id: "precomputed@16", dimensions: 16 }, { id: "local:hash-v1@512", dimensions: 512 })).toThrow(/--dimensions 16/);
  });
});

describe("prices", () => {
  it("OpenAI's list price applies to OpenAI's endpoint only", async () => {
    expect(pricePerMillionTokens("openai:text-embedding-3-small@256")).toBe(0.02);
    expect(pricePerMillionTokens("openai:text-embedding-3-small@256~0badc0de")).toBeUndefined();
    expect(pricePerMillionTokens("openai:text-embedding-3-small@256~0badc0de", 0.5)).toBe(0.5);
    expect(pricePerMillionTokens("local:hash-v1@512")).toBe(0);
    // A dry run against OpenAI's endpoint sends nothing and needs no key.
    const plan = await new EmbeddingFetcher(new OpenAIEmbedder({ baseURL: "https://api.openai.com/v1", apiKey: "" })).plan(["hello there"]);
    expect(plan).toMatchObject({ embedderId: "openai:text-embedding-3-small@1536", pricePerMillionTokens: 0.02 });
  });
});

describe("narrowLimits", () => {
  it("only narrows, names the option, and caps the per-input limit by the per-request one", () => {
    expect(narrowLimits(OPENAI_EMBEDDING_LIMITS, { maxInputsPerRequest: 16, maxTokensPerRequest: 1000 })).toEqual({ maxInputsPerRequest: 16, maxTokensPerRequest: 1000, maxTokensPerInput: 1000 });
    expect(narrowLimits(OPENAI_EMBEDDING_LIMITS, {})).toEqual(OPENAI_EMBEDDING_LIMITS);
    expect(() => narrowLimits(OPENAI_EMBEDDING_LIMITS, { maxInputsPerRequest: 4096 })).toThrow(/--max-inputs-per-request 4096 is above/);
    expect(() => narrowLimits(OPENAI_EMBEDDING_LIMITS, { maxTokensPerRequest: 0 })).toThrow(/must be a positive integer/);
    expect(() => narrowLimits(OPENAI_EMBEDDING_LIMITS, { maxTokensPerRequest: 1.5 })).toThrow(/must be a positive integer/);
    expect(() => createEmbedder("local:hash-v1", { limits: { maxTokensPerRequest: 10 } })).toThrow(/counts? tokens/);
    expect(createEmbedder("local:hash-v1", { limits: { maxInputsPerRequest: 7 } }).limits.maxInputsPerRequest).toBe(7);
  });
});
