import { describe, expect, it } from "vitest";
import { OptionsError } from "../../src/errors.js";
import { DEFAULT_EMBEDDER_SPEC, createEmbedder } from "../../src/embed/create-embedder.js";
import { HashEmbedder } from "../../src/embed/hash-embedder.js";
import { GloveLexEmbedder } from "../../src/embed/glove-lex-embedder.js";
import { OpenAIEmbedder } from "../../src/embed/openai-embedder.js";
import { serverFingerprint } from "../../src/embed/embedder-identity.js";

describe("createEmbedder", () => {
  it("parses local:glove-lex-v2, local:glove-lex-v1, local:hash-v2, local:hash-v1 and openai:MODEL, with dimensions from options or an @N id", () => {
    expect(DEFAULT_EMBEDDER_SPEC).toBe("local:glove-lex-v2");
    expect(createEmbedder(DEFAULT_EMBEDDER_SPEC)).toBeInstanceOf(GloveLexEmbedder);
    expect(createEmbedder(DEFAULT_EMBEDDER_SPEC).id).toBe("local:glove-lex-v2@133");
    expect(createEmbedder("local:glove-lex-v2@133").id).toBe("local:glove-lex-v2@133");
    // glove-lex-v1 stays selectable, so the bundles that recorded it recreate it exactly.
    expect(createEmbedder("local:glove-lex-v1").id).toBe("local:glove-lex-v1@125");
    expect(createEmbedder("local:glove-lex-v1@125").id).toBe("local:glove-lex-v1@125");
    expect(createEmbedder("local:hash-v2")).toBeInstanceOf(HashEmbedder);
    expect(createEmbedder("local:hash-v2", { dimensions: 128 }).id).toBe("local:hash-v2@128");
    expect(createEmbedder("local:hash-v2@256").id).toBe("local:hash-v2@256");
    // The earlier output version stays selectable, so bundles that recorded it recreate it exactly.
    const v1 = createEmbedder("local:hash-v1@256");
    expect(v1.id).toBe("local:hash-v1@256");
    expect((v1 as HashEmbedder).version).toBe("hash-v1");
    const o = createEmbedder("openai:text-embedding-3-small", { dimensions: 256, apiKey: "sk-x" });
    expect(o).toBeInstanceOf(OpenAIEmbedder);
    expect(o.id).toBe("openai:text-embedding-3-small@256");
    expect(createEmbedder("openai:text-embedding-3-large@1024", { apiKey: "sk-x" }).id).toBe("openai:text-embedding-3-large@1024");
    expect(createEmbedder("openai:nomic-embed-text", { dimensions: 768, baseURL: "http://127.0.0.1:1/v1" }).id).toBe(`openai:nomic-embed-text@768~${serverFingerprint("http://127.0.0.1:1/v1")}`);
  });

  it("rejects unknown specs and contradictions with a clear OptionsError", () => {
    expect(() => createEmbedder("cohere:embed")).toThrow(OptionsError);
    expect(() => createEmbedder("local:bert")).toThrow(/Unknown offline embedder "bert".*local:glove-lex-v1, local:glove-lex-v2, local:hash-v1, local:hash-v2 \(the default is local:glove-lex-v2\)/);
    expect(() => createEmbedder("nonsense")).toThrow(/Unknown embedder "nonsense"/);
    expect(() => createEmbedder("local:hash-v2@256", { dimensions: 128 })).toThrow(/names 256 dimensions but 128/);
    expect(() => createEmbedder("local:glove-lex-v1", { dimensions: 512 })).toThrow(/local:glove-lex-v1 always has 125 dimensions; 512 were asked for/);
    expect(() => createEmbedder("local:glove-lex-v1@64")).toThrow(/always has 125 dimensions; 64/);
    expect(() => createEmbedder("local:glove-lex-v2@125")).toThrow(/local:glove-lex-v2 always has 133 dimensions; 125/);
    expect(() => createEmbedder("local:hash-v2", { baseURL: "http://x" })).toThrow(/--base-url/);
  });
});
