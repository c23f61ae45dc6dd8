import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { toFile } from "openai";
import type { Batch } from "openai/resources/batches";
import { faultPoint } from "../../util/fault-hooks.js";
import type { BatchClient } from "./batch-client.js";
import type { BatchJobStore, JobRow, PartRow } from "./batch-job-store.js";
import { batchRequestLine } from "./batch-request-line.js";

/** Metadata put on each batch, so a resumed job finds a batch it created but did not record. */
export function partMetadata(jobId: string, part: number): Record<string, string> {
  return { sentivec_job: jobId, sentivec_part: String(part) };
}

/**
 * Takes one part from wherever it stopped to a created batch, recording each step before the next:
 *
 *   planned    → record "uploading" (the intent, with the file name), then upload the input file;
 *   uploading  → a crash may have come after the upload: look the file up by name first;
 *   uploaded   → record the file id; a crash may have come after creating the batch: look for a
 *                batch with our metadata (or that input file) before creating one;
 *   submitted  → the batch id is recorded.
 *
 * So a crash between any two steps neither loses track of an uploaded file nor creates a second batch.
 */
export async function submitPart(client: BatchClient, store: BatchJobStore, job: JobRow, part: PartRow): Promise<PartRow> {
  let p = part;
  // Uploaded by this call: no batch can exist for the file yet, so none is looked for.
  let fresh = false;
  if (p.state === "planned" || p.state === "uploading") {
    let fileId = p.state === "uploading" ? await findUploadedFile(client, p.filename) : undefined;
    if (!fileId) {
      store.write(() => store.updatePart(job.id, p.part, { state: "uploading" }));
      faultPoint("batch:upload-intent");
      fileId = await uploadPart(client, store, job, p);
      fresh = true;
      faultPoint("batch:uploaded");
    }
    const id = fileId;
    store.write(() => store.updatePart(job.id, p.part, { state: "uploaded", input_file_id: id }));
    p = store.part(job.id, p.part);
  }
  if (p.state === "uploaded") {
    let batch = fresh ? undefined : await findBatch(client, job, p);
    if (!batch) {
      batch = await client.call(`create the batch for ${p.filename}`, (o) =>
        o.batches.create({ input_file_id: p.input_file_id!, endpoint: "/v1/embeddings", completion_window: "24h", metadata: partMetadata(job.id, p.part) }),
      );
      faultPoint("batch:created");
    }
    const b = batch;
    // All of it: a batch found again after a crash may already have finished, with its files.
    store.write(() => store.updatePart(job.id, p.part, { state: "submitted", batch_id: b.id, ...batchFields(b) }));
    p = store.part(job.id, p.part);
  }
  return p;
}

/** What a part records of its batch as last seen: status, counts, file ids, validation errors. */
export function batchFields(b: Batch): Pick<PartRow, "status" | "total" | "completed" | "failed" | "output_file_id" | "error_file_id" | "errors"> {
  const c = b.request_counts;
  const errors = b.errors?.data?.length ? JSON.stringify(b.errors.data.map((e) => `${e.line != null ? `line ${e.line}: ` : ""}${e.message ?? e.code}`)) : null;
  return {
    status: b.status,
    total: c?.total ?? 0,
    completed: c?.completed ?? 0,
    failed: c?.failed ?? 0,
    output_file_id: b.output_file_id ?? null,
    error_file_id: b.error_file_id ?? null,
    errors,
  };
}

/**
 * Writes the part's JSONL to a private temp folder (streamed, one request line at a time: up to
 * 200 MB never sits in memory), uploads it with purpose "batch", and removes it.
 */
async function uploadPart(client: BatchClient, store: BatchJobStore, job: JobRow, p: PartRow): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "sentivec-batch-"));
  const path = join(dir, p.filename);
  try {
    const out = createWriteStream(path, { mode: 0o600 });
    const shape = { model: job.model, dimensions: job.send_dimensions ?? undefined };
    for (const r of store.requestsOfPart(job.id, p.part)) {
      const line = batchRequestLine(r.custom_id, store.texts(job.id, r.custom_id).map((t) => t.text), shape);
      if (!out.write(line)) await once(out, "drain");
    }
    out.end();
    await once(out, "close");
    const file = await client.call(`upload ${p.filename}`, async (o) => o.files.create({ file: await toFile(createReadStream(path), p.filename), purpose: "batch" }));
    return file.id;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An uploaded batch input file with this name (newest first), if the server has one. */
async function findUploadedFile(client: BatchClient, filename: string): Promise<string | undefined> {
  return client.call(`look up ${filename} among the uploaded files`, async (o) => {
    for await (const f of o.files.list({ purpose: "batch" })) {
      if (f.filename === filename && f.status !== "error") return f.id;
    }
    return undefined;
  });
}

/** A batch this part already created: our metadata, or our input file. Batches list newest first. */
async function findBatch(client: BatchClient, job: JobRow, p: PartRow): Promise<Batch | undefined> {
  const since = Math.floor(job.created_at / 1000) - 3600;
  return client.call(`look up the batch of ${p.filename}`, async (o) => {
    for await (const b of o.batches.list({ limit: 100 })) {
      if (b.created_at < since) break;
      const m = b.metadata as Record<string, string> | null | undefined;
      if ((m?.sentivec_job === job.id && m?.sentivec_part === String(p.part)) || b.input_file_id === p.input_file_id) return b;
    }
    return undefined;
  });
}
