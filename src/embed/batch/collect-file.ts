import type { Embedder } from "../embedder.js";
import { checkVectors } from "../check-vectors.js";
import { decodeEmbedding } from "../openai-embedder.js";
import { readLines } from "../../util/read-lines.js";
import { faultPoint } from "../../util/fault-hooks.js";
import type { BatchClient } from "./batch-client.js";
import type { BatchJobStore, JobRow } from "./batch-job-store.js";

/** A line of an output or error file that could not be used, named by file and line number. */
export interface LineProblem {
  fileId: string;
  line: number;
  reason: string;
}

export interface FileCollectResult {
  lines: number;
  /** Requests whose vectors were stored now. */
  stored: number;
  /** Requests recorded as failed now (error lines, bad vectors). */
  failed: number;
  /** Lines for requests already done (stored by an earlier or a concurrent collect). */
  skipped: number;
  problems: LineProblem[];
}

/**
 * Reads one output or error file of a batch as a stream (one line in memory at a time; lines come in
 * any order) and matches each line to its request by custom_id:
 *
 * - status 200: the vectors are decoded and checked (one per input, the job's size, every value
 *   finite: checkVectors, as for synchronous responses); good ones are written to the cache with the
 *   request marked done, in one transaction, as the line is read; a bad one marks the request failed
 *   and is never cached;
 * - any other status, or an `error` (expired, cancelled): the request is marked failed with the body;
 * - a line that is not JSON or names no request of this job: reported with its line number, and the
 *   other lines are kept.
 *
 * A request already done is skipped, so a re-read after a kill, or a second collect, writes nothing
 * twice (the cache's (embedder, sha) key makes a rewrite impossible to duplicate anyway).
 */
export async function collectFile(client: BatchClient, store: BatchJobStore, job: JobRow, fileId: string): Promise<FileCollectResult> {
  const res = await client.call(`download file ${fileId}`, (o) => o.files.content(fileId));
  if (!res.body) return { lines: 0, stored: 0, failed: 0, skipped: 0, problems: [{ fileId, line: 0, reason: "the server sent an empty body" }] };
  const embedder = { id: job.embedder_id, dimensions: job.dimensions } as Embedder;
  const result: FileCollectResult = { lines: 0, stored: 0, failed: 0, skipped: 0, problems: [] };
  let n = 0;
  try {
    for await (const text of readLines(res.body)) {
      n++;
      if (text.trim() === "") continue;
      result.lines++;
      const outcome = collectLine(store, job, embedder, text, client);
      if (typeof outcome === "object") result.problems.push({ fileId, line: n, reason: outcome.problem });
      else result[outcome]++;
      if (outcome === "stored") faultPoint("batch:line-stored");
    }
  } catch (e) {
    throw client.mapError(e, `read file ${fileId} (stopped at line ${n})`);
  }
  return result;
}

type LineOutcome = "stored" | "failed" | "skipped" | { problem: string };

function collectLine(store: BatchJobStore, job: JobRow, embedder: Embedder, text: string, client: BatchClient): LineOutcome {
  let o: { custom_id?: unknown; response?: { status_code?: unknown; body?: unknown } | null; error?: unknown };
  try {
    o = JSON.parse(text);
    if (!o || typeof o !== "object") throw new Error("not an object");
  } catch {
    return { problem: "not valid JSON (cut short or garbled)" };
  }
  const customId = o.custom_id;
  if (typeof customId !== "string") return { problem: "no custom_id" };
  const req = store.request(job.id, customId);
  if (!req) return { problem: `custom_id ${JSON.stringify(customId.slice(0, 80))} is not a request of job ${job.id}` };
  if (req.state === "done") return "skipped";

  const status = o.response?.status_code;
  if (status !== 200) {
    const detail = o.response?.body ?? o.error ?? null;
    const why = client.scrub(`${status === undefined || status === null ? "no response" : `HTTP ${String(status)}`}: ${oneLine(JSON.stringify(detail))}`);
    return store.write(() => {
      if (store.request(job.id, customId)?.state === "done") return "skipped";
      store.setRequest(job.id, customId, "failed", why);
      return "failed";
    });
  }
  const data = (o.response?.body as { data?: unknown } | undefined)?.data;
  let vectors: (Float32Array | undefined)[] | undefined;
  if (Array.isArray(data)) {
    vectors = new Array(data.length);
    for (let k = 0; k < data.length; k++) {
      const item = data[k] as { index?: unknown; embedding?: unknown };
      const i = typeof item?.index === "number" ? item.index : k;
      if (Number.isInteger(i) && i >= 0 && i < data.length && vectors[i] === undefined) vectors[i] = decodeEmbedding(item?.embedding);
    }
  }
  try {
    if (!vectors || vectors.some((v) => v === undefined)) throw new Error("the response body has no readable embeddings");
    checkVectors(embedder, vectors, req.inputs);
  } catch (e) {
    const why = `bad response: ${(e as Error).message}`;
    return store.write(() => {
      if (store.request(job.id, customId)?.state === "done") return "skipped";
      store.setRequest(job.id, customId, "failed", why);
      return "failed";
    });
  }
  const got = vectors as Float32Array[];
  return store.write(() => {
    // Checked again inside the write lock: a concurrent collect may have stored it meanwhile.
    if (store.request(job.id, customId)?.state === "done") return "skipped";
    const shas = store.shas(job.id, customId);
    store.cache.putMany(job.embedder_id, shas.map((sha, k) => ({ sha, vector: got[k] })));
    store.setRequest(job.id, customId, "done");
    return "stored";
  });
}

function oneLine(text: string): string {
  const t = text.replace(/\s+/g, " ");
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}
