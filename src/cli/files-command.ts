import type { Command } from "commander";
import { printJson } from "./cli-output.js";

interface FilesOptions {
  baseUrl?: string;
  purpose?: string;
  json?: boolean;
}

/**
 * `sentivec files list|delete`: the Files API, for cleaning up. Uploaded batch input files and batch
 * output files pile up in an organisation; `batch collect --delete-files` removes a job's own, and
 * these commands the rest. openai is loaded inside the actions only.
 */
export function registerFilesCommand(program: Command): void {
  const files = program.command("files").description("list or delete files uploaded to OpenAI's Files API (batch inputs and outputs pile up there)");
  const list = files
    .command("list")
    .description("list the organisation's files, newest first")
    .option("--purpose <purpose>", "only files with this purpose: batch (inputs), batch_output (outputs and errors), ...");
  addCommon(list);
  list.action(async (o: FilesOptions) => {
    const { BatchClient } = await import("../embed/batch/batch-client.js");
    const client = new BatchClient({ baseURL: o.baseUrl });
    const rows = await client.call("list files", async (openai) => {
      const out = [];
      for await (const f of openai.files.list(o.purpose ? { purpose: o.purpose } : {})) out.push(f);
      return out;
    });
    if (o.json) return printJson(rows);
    if (!rows.length) return console.log(`No files${o.purpose ? ` with purpose ${o.purpose}` : ""}.`);
    for (const f of rows) {
      console.log(`${f.id}  ${f.purpose.padEnd(12)}  ${String(f.bytes).padStart(11)} bytes  ${new Date(f.created_at * 1000).toISOString()}  ${f.filename}`);
    }
  });

  const del = files.command("delete").description("delete files by id").argument("<id...>", "file ids (file-...)");
  addCommon(del);
  del.action(async (ids: string[], o: FilesOptions) => {
    const { BatchClient } = await import("../embed/batch/batch-client.js");
    const client = new BatchClient({ baseURL: o.baseUrl });
    const deleted: { id: string; deleted: boolean }[] = [];
    // One at a time, each reported: a failure part-way says which were already deleted.
    for (const id of ids) {
      const r = await client.call(`delete file ${id}${deleted.length ? ` (${deleted.length} deleted before it: ${deleted.map((d) => d.id).join(", ")})` : ""}`, (openai) => openai.files.delete(id));
      deleted.push({ id: r.id, deleted: r.deleted });
      if (!o.json) console.log(`Deleted ${r.id}`);
    }
    if (o.json) printJson(deleted);
  });
}

function addCommon(cmd: Command): Command {
  return cmd
    .option("--base-url <url>", "OpenAI-compatible server URL (default: $OPENAI_BASE_URL or OpenAI's); the key comes from OPENAI_API_KEY")
    .option("--json", "print JSON");
}
