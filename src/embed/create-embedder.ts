import { OptionsError } from "../errors.js";
import type { Embedder } from "./embedder.js";
import { checkEmbedderMatches, parseEmbedderId } from "./embedder-identity.js";
import { GLOVE_LEX_EMBEDDER_VERSIONS, type GloveLexEmbedderVersion, GloveLexEmbedder } from "./glove-lex-embedder.js";
import { HASH_EMBEDDER_LIMITS, HASH_EMBEDDER_VERSIONS, type HashEmbedderVersion, HashEmbedder } from "./hash-embedder.js";
import { type LimitOverrides, narrowLimits } from "./narrow-limits.js";
import { OPENAI_EMBEDDING_LIMITS, OpenAIEmbedder } from "./openai-embedder.js";

/** The embedder used when none is named: the semantic offline one (GloVe word vectors + polarity features). */
export const DEFAULT_EMBEDDER_SPEC = "local:glove-lex-v2";

/** Every offline embedder name accepted after "local:". */
const LOCAL_EMBEDDERS: readonly string[] = [...GLOVE_LEX_EMBEDDER_VERSIONS, ...HASH_EMBEDDER_VERSIONS];

export interface CreateEmbedderOptions {
  /** Vector size; default: the embedder's own (133 for local:glove-lex-v2 and 125 for -v1, fixed; 512 for local:hash-v2; the model's for openai:). */
  dimensions?: number;
  /** OpenAI-compatible server for openai: specs. */
  baseURL?: string;
  /** API key for openai: specs; default env OPENAI_API_KEY. */
  apiKey?: string;
  /** Smaller request sizes than the provider's (may only narrow them). */
  limits?: LimitOverrides;
}

/**
 * Builds an embedder from a spec string, as given on the command line or recorded in a model bundle:
 *   "local:glove-lex-v2"              the semantic offline embedder (the default; always 133 dimensions)
 *   "local:glove-lex-v1"              its earlier output version (125), kept so older bundles load unchanged
 *   "local:hash-v2"                   the hashed n-gram offline embedder (the default before glove-lex)
 *   "local:hash-v1"                   its earlier output version, kept so older bundles load unchanged
 *   "openai:text-embedding-3-small"   OpenAI (or any compatible server with baseURL)
 * An embedder id ("openai:text-embedding-3-small@256", "local:hash-v2@512") works too, so a bundle's
 * recorded id recreates the same embedder; its "@N" must then agree with `dimensions` if both are given,
 * and its "~server" fingerprint (see embedder-identity.ts) with the server `baseURL` names.
 */
export function createEmbedder(spec: string, options: CreateEmbedderOptions = {}): Embedder {
  const parts = parseEmbedderId(spec);
  if (!parts) throw badSpec(spec);
  const { provider, model: name, dimensions: atDims, server } = parts;
  let dimensions = options.dimensions;
  if (atDims !== undefined) {
    if (dimensions !== undefined && dimensions !== atDims) {
      throw new OptionsError("EMBED_SPEC", `Embedder "${spec}" names ${atDims} dimensions but ${dimensions} were asked for.`, {
        hint: "Drop one of them (--dimensions or the @N suffix).",
      });
    }
    dimensions = atDims;
  }
  switch (provider) {
    case "local":
      if (!LOCAL_EMBEDDERS.includes(name) || server !== undefined) {
        throw new OptionsError("EMBED_SPEC", `Unknown offline embedder "${name}" in "${spec}".`, {
          hint: `The offline embedders are ${LOCAL_EMBEDDERS.map((v) => `local:${v}`).join(", ")} (the default is ${DEFAULT_EMBEDDER_SPEC}).`,
        });
      }
      if (options.baseURL !== undefined) {
        throw new OptionsError("EMBED_SPEC", `--base-url applies to openai: embedders, not to "${spec}".`, { hint: "Use --embedder openai:MODEL with --base-url." });
      }
      if ((GLOVE_LEX_EMBEDDER_VERSIONS as readonly string[]).includes(name)) {
        const embedder = new GloveLexEmbedder({
          version: name as GloveLexEmbedderVersion,
          limits: narrowLimits(HASH_EMBEDDER_LIMITS, options.limits, { countsTokens: false, embedderId: `local:${name}` }),
        });
        if (dimensions !== undefined && dimensions !== embedder.dimensions) {
          throw new OptionsError("EMBEDDER_DIMENSIONS", `local:${name} always has ${embedder.dimensions} dimensions; ${dimensions} were asked for.`, {
            hint: "Drop --dimensions (or use local:hash-v2, whose size can be chosen).",
          });
        }
        return embedder;
      }
      return new HashEmbedder({
        dimensions,
        version: name as HashEmbedderVersion,
        limits: narrowLimits(HASH_EMBEDDER_LIMITS, options.limits, { countsTokens: false, embedderId: `local:${name}` }),
      });
    case "openai": {
      const embedder = new OpenAIEmbedder({ model: name, dimensions, baseURL: options.baseURL, apiKey: options.apiKey, limits: narrowLimits(OPENAI_EMBEDDING_LIMITS, options.limits, { embedderId: `openai:${name}` }) });
      // An id naming a server (recorded in a bundle or store) only recreates that server's embedder.
      if (server !== undefined) checkEmbedderMatches({ id: spec.trim(), dimensions: embedder.dimensions }, embedder, `Embedder id ${spec.trim()} names`);
      return embedder;
    }
    default:
      throw badSpec(spec);
  }
}

function badSpec(spec: string): OptionsError {
  return new OptionsError("EMBED_SPEC", `Unknown embedder "${spec}".`, {
    hint: `Use "${DEFAULT_EMBEDDER_SPEC}" (offline) or "openai:MODEL", e.g. openai:text-embedding-3-small.`,
  });
}
