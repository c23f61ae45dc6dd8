import { createHash } from "node:crypto";
import { EmbeddingError, OptionsError } from "../errors.js";

/**
 * Which vector space a vector lives in, written as an embedder id:
 *
 *   provider:model@dimensions[~server]
 *
 * `~server` is present only for an OpenAI-compatible server other than OpenAI's own endpoint: the
 * first 8 hex digits of sha256 of the server's normalised base URL (scheme, host, port, path prefix).
 * Two servers can serve different vectors under one model name, so the server is part of the space:
 * it namespaces the cache and is recorded in bundles. Only the hash is ever kept, never the URL (which
 * may name a private host).
 *
 * OpenAI's own endpoint keeps the plain id ("openai:text-embedding-3-small@256"): that is the id every
 * cache row and bundle made for api.openai.com before servers were told apart already carries, so those
 * stay valid. A custom server's vectors never carried a fingerprint, so they can never be served as
 * another custom server's.
 */
export interface EmbedderIdParts {
  provider: string;
  model: string;
  dimensions?: number;
  /** 8 hex digits naming a server other than OpenAI's endpoint; undefined for api.openai.com and local embedders. */
  server?: string;
}

/** The recorded side of a vector space, as a model bundle or a store keeps it. */
export interface RecordedEmbedder {
  id: string;
  dimensions: number;
  /**
   * Where OpenAI-protocol vectors came from: "api.openai.com" or the 8-hex server fingerprint (also in
   * the id). Absent in bundles written before servers were told apart, and for vectors whose origin
   * sentivec did not see (precomputed): any server is then accepted for the recorded model.
   */
  server?: string;
}

export const OPENAI_BASE_URL = "https://api.openai.com/v1";
export const OPENAI_SERVER = "api.openai.com";

/** Splits an embedder id or spec; undefined when it is not of the form provider:model[@N][~server]. */
export function parseEmbedderId(id: string): EmbedderIdParts | undefined {
  const m = /^([a-z0-9-]+):([^@~\s]+)(?:@(\d+))?(?:~([0-9a-f]{8}))?$/i.exec(id.trim());
  if (!m) return undefined;
  return { provider: m[1].toLowerCase(), model: m[2], dimensions: m[3] === undefined ? undefined : Number(m[3]), server: m[4]?.toLowerCase() };
}

/** The id without its server part: the model and size, which decide what a vector means. */
export function embedderSpaceId(id: string): string {
  return id.replace(/~[0-9a-f]{8}$/i, "");
}

/**
 * A base URL reduced to what identifies the server: scheme, lower-case host, port when not the
 * scheme's default, and path without trailing slashes. Throws an OptionsError for a URL that is not
 * http(s), or carries credentials, a query or a fragment: such a URL can never work, so it is refused
 * before anything is sent.
 */
export function normalizeBaseUrl(baseURL: string): string {
  let url: URL;
  try {
    url = new URL(baseURL.trim());
  } catch {
    throw new OptionsError("EMBED_BASE_URL", `--base-url ${JSON.stringify(redactUrl(baseURL))} is not a valid URL.`, {
      hint: "Give the server's full base URL, e.g. http://localhost:11434/v1.",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OptionsError("EMBED_BASE_URL", `--base-url must be an http:// or https:// URL, got a ${url.protocol} URL.`, {
      hint: "Give the server's full base URL, e.g. http://localhost:11434/v1.",
    });
  }
  // fetch refuses URLs with credentials, and the SDK appends "/embeddings" after any query: neither can
  // ever work, and both may hold secrets, so they are refused (and not echoed).
  if (url.username || url.password || url.search || url.hash) {
    throw new OptionsError("EMBED_BASE_URL", `--base-url ${redactUrl(baseURL)} carries ${url.username || url.password ? "credentials" : "a query or fragment"}, which cannot be sent that way.`, {
      hint: "Give the plain base URL (e.g. https://host/v1); the key goes in OPENAI_API_KEY.",
    });
  }
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/** Undefined for OpenAI's own endpoint, else the 8-hex fingerprint of the normalised base URL. */
export function serverFingerprint(baseURL: string): string | undefined {
  const normalized = normalizeBaseUrl(baseURL);
  if (normalized === OPENAI_BASE_URL) return undefined;
  return createHash("sha256").update(normalized).digest("hex").slice(0, 8);
}

/** "OpenAI's own endpoint (api.openai.com)" or "the server with fingerprint ~1a2b3c4d", for messages. */
export function describeServer(server: string | undefined): string {
  return server === undefined || server === OPENAI_SERVER ? "OpenAI's own endpoint (api.openai.com)" : `the server with fingerprint ~${server}`;
}

/** The server a bundle should record for vectors made by an embedder with this id (undefined: not an OpenAI-protocol id). */
export function serverOfEmbedderId(id: string): string | undefined {
  const parts = parseEmbedderId(id);
  if (!parts || parts.provider !== "openai") return undefined;
  return parts.server ?? OPENAI_SERVER;
}

/**
 * Refuses an embedder whose vectors would not be in the recorded space: another model, size or
 * server. Called before anything is embedded, so a wrong server never receives the texts or the key.
 * `what` starts the message: "This model was trained on", "This store holds".
 */
export function checkEmbedderMatches(recorded: RecordedEmbedder, embedder: { id: string; dimensions: number }, what = "This model was trained on"): void {
  const want = parseEmbedderId(recorded.id);
  const got = parseEmbedderId(embedder.id);
  if (embedder.dimensions !== recorded.dimensions) throw mismatch(recorded, embedder, what);
  // Vectors of unknown origin: the user names the embedder that made them (dimensions must agree).
  if (!want || recorded.id.startsWith("precomputed")) return;
  if (!got || embedderSpaceId(recorded.id) !== embedderSpaceId(embedder.id)) throw mismatch(recorded, embedder, what);
  const recordedServer = want.server ?? recorded.server;
  // Written before servers were told apart, or vectors brought by the user: the recorded model at
  // whichever server the user points at.
  if (recordedServer === undefined) return;
  const actual = got.server ?? OPENAI_SERVER;
  if (actual === recordedServer) return;
  const pass =
    recordedServer === OPENAI_SERVER
      ? "Drop --base-url (and unset OPENAI_BASE_URL) to use api.openai.com, or train a model for that server."
      : `Pass --base-url with the URL of the server it was made with (fingerprint ~${recordedServer}).`;
  throw new EmbeddingError(
    "EMBEDDER_SERVER_MISMATCH",
    `${what} ${embedderSpaceId(recorded.id)} vectors from ${describeServer(recordedServer)}, but this run would embed with ${describeServer(got.server)}; nothing was sent.`,
    { hint: pass },
  );
}

function mismatch(recorded: RecordedEmbedder, embedder: { id: string; dimensions: number }, what: string): EmbeddingError {
  const hint = recorded.id.startsWith("precomputed")
    ? `Pass --embedder SPEC --dimensions ${recorded.dimensions} naming the embedder that made its vectors.`
    : `Use --embedder ${embedderSpaceId(recorded.id).replace(/@\d+$/, "")} --dimensions ${recorded.dimensions} (or leave out --embedder), or train a model for the other embedder.`;
  return new EmbeddingError(
    "EMBEDDER_MISMATCH",
    `${what} ${recorded.id} vectors (${recorded.dimensions} dims), but this run would embed with ${embedder.id} (${embedder.dimensions} dims).`,
    { hint },
  );
}

/** A URL for messages: no credentials, query or fragment (they may hold keys). */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return raw.replace(/\/\/[^/@]*@/, "//").replace(/[?#].*$/, "");
  }
}
